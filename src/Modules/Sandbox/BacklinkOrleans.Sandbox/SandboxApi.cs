using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Sandbox;

/// <summary>In Sandbox mode, operators script the simulated world over HTTP: publish pages and files, read the log.</summary>
public static class SandboxApi
{
    /// <summary>The Sandbox's ports and what it simulates.</summary>
    public sealed record SandboxInfo(int HttpPort, int HttpsPort, IReadOnlyList<string> IndexNowEndpoints, int Requests);

    public static IEndpointRouteBuilder MapSandboxEndpoints(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox").WithTags("Sandbox").RequireAuthorization(TenantClaims.OperatorPolicy);
        sandbox.MapGet("/", (SandboxHost host) => TypedResults.Ok(new SandboxInfo(host.Server.HttpPort, host.Server.HttpsPort,
                IndexNowSimulation.Endpoints, host.Server.Log.All.Count)))
            .WithName("SandboxInfo").WithSummary("Sandbox mode: ports, simulated engines, requests received.");
        sandbox.MapPut("/sites/{host}/{**path}", PublishAsync).WithName("SandboxPublish")
            .WithSummary("Serve the request body at https://{host}/{path} (status and content type from the query, default 200 text/plain).");
        sandbox.MapPut("/fallback/{host}", SetFallbackAsync).WithName("SandboxFallback")
            .WithSummary("Serve the request body at every path of https://{host}/ that is not published (a site of many pages).");
        sandbox.MapGet("/requests", (SandboxHost sandboxHost) => TypedResults.Ok(sandboxHost.Server.Log.All))
            .WithName("SandboxRequests").WithSummary("Every request the simulated world received, in order.");
        sandbox.MapGet("/engines/indexnow", (SandboxHost host) => TypedResults.Ok(host.Server.IndexNow.Statistics()))
            .WithName("SandboxIndexNow").WithSummary("What the simulated IndexNow engine received: requests, accepted URLs, URLs accepted twice in a day.");
        sandbox.MapPut("/engines/indexnow", (IndexNowSettings settings, SandboxHost host) =>
            {
                var engine = host.Server.IndexNow;
                if (settings.LatencyMs is { } latency)
                    engine.Latency = TimeSpan.FromMilliseconds(Math.Clamp(latency, 0, 60_000));
                if (settings.DailyLimitPerKey is { } limit)
                    engine.DailyLimitPerKey = Math.Max(0, limit);
                if (settings.ServerErrorRate is { } rate)
                    engine.ServerErrorRate = Math.Clamp(rate, 0, 1);
                return TypedResults.Ok(new IndexNowSettings((int)engine.Latency.TotalMilliseconds, engine.DailyLimitPerKey, engine.ServerErrorRate));
            })
            .WithName("SandboxIndexNowSettings").WithSummary("Set the simulated IndexNow engine's latency, daily limit per key and 5xx rate.");
        return app;
    }

    /// <summary>Settings of the simulated IndexNow engine; absent fields stay as they are.</summary>
    public sealed record IndexNowSettings(int? LatencyMs, int? DailyLimitPerKey, double? ServerErrorRate);

    private static async Task<Ok<string>> SetFallbackAsync(string host, int? status, string? contentType, HttpRequest request, SandboxHost sandbox)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        sandbox.Server.Site(host).Fallback = new SimulatedPage(status ?? 200, body, contentType ?? "text/html; charset=utf-8");
        return TypedResults.Ok($"every unpublished path of https://{host}/ now answers {status ?? 200}");
    }

    private static async Task<Ok<string>> PublishAsync(string host, string path, int? status, string? contentType, HttpRequest request, SandboxHost sandbox)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        sandbox.Server.Site(host).Page("/" + path, new SimulatedPage(status ?? 200, body, contentType ?? "text/plain; charset=utf-8"));
        return TypedResults.Ok($"https://{host}/{path} now answers {status ?? 200}");
    }
}
