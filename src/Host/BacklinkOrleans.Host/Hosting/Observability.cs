using BacklinkOrleans.Host.Web;
using BacklinkOrleans.SharedKernel.Diagnostics;
using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// What operators look at: the product's meter in Prometheus format at <c>/metrics</c>, its traces (an import, a
/// submission) to an OTLP collector when <c>Telemetry:OtlpEndpoint</c> is set, and the Orleans Dashboard at
/// <c>/dashboard</c> behind the operator key (<c>Dashboard:Enabled</c>, default true).
/// </summary>
internal static class Observability
{
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var otlp = builder.Configuration["Telemetry:OtlpEndpoint"];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("backlink-orleans"))
            .WithMetrics(m => m.AddMeter(Telemetry.Name).AddPrometheusExporter())
            .WithTracing(t =>
            {
                t.AddSource(Telemetry.Name);
                if (!string.IsNullOrWhiteSpace(otlp))
                    t.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            });
        return builder;
    }

    public static bool DashboardEnabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", true);

    public static WebApplication MapObservability(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (DashboardEnabled(app.Configuration))
            app.MapOrleansDashboard("/dashboard").RequireAuthorization(WebUi.OperatorPolicy);
        return app;
    }
}
