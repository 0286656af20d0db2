using BacklinkOrleans.Reporting.Audit;
using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.Reporting.Reports;
using BacklinkOrleans.Reporting.Webhooks;
using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Subscriptions;
using FluentValidation;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Reporting;

/// <summary>
/// Reports, audit verification and webhooks (ADR 0021), all fed by the "reporting" subscription to the log: the report
/// read models, the published integration events, and one webhook delivery per event and subscribed endpoint.
/// </summary>
public static class ReportingModule
{
    public static IServiceCollection AddReporting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations(typeof(ReportingModule).Assembly);
        services.AddSubscriptions(configuration);
        services.AddOutboundHttp();
        services.AddDataProtection();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Reporting:Webhooks"))
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.FirstRetry > TimeSpan.Zero && o.MaxDelay >= o.FirstRetry && o.GiveUpAfter > TimeSpan.Zero
                && o.RequestTimeout > TimeSpan.Zero && o.Concurrency >= 1 && o.Batch >= 1,
                "Reporting:Webhooks: PollInterval, FirstRetry, GiveUpAfter and RequestTimeout must be positive, MaxDelay at least FirstRetry, Concurrency and Batch at least 1.")
            .ValidateOnStart();
        services.AddSingleton<ISubscriptionHandler, ReportProjection>();
        services.AddSingleton<ISubscriptionHandler, WebhookOutbox>();
        services.AddSingleton<ReportQueries>();
        services.AddSingleton<BrandingStore>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IValidator<SetBrandingRequest>, SetBrandingValidator>();
        services.AddSingleton<IValidator<CreateWebhookRequest>, CreateWebhookValidator>();
        services.AddAuditCheck<ReportAuditCheck>();
        services.AddHostedService<WebhookStarter>();
        return services;
    }

    public static IEndpointRouteBuilder MapReportingEndpoints(this IEndpointRouteBuilder app) =>
        app.MapReportsApi().MapWebhooksApi().MapAuditApi();
}

/// <summary>Activates the webhook dispatcher once the silo runs.</summary>
internal sealed class WebhookStarter(IGrainFactory grains, ILogger<WebhookStarter> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => SharedKernel.Hosting.KeepAlive.RetryUntilStartedAsync(
        () => grains.GetGrain<IWebhookDispatcherGrain>(0).EnsureRunningAsync(), "the webhook dispatcher", logger, stoppingToken);
}
