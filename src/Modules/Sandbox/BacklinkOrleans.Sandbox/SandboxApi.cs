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
        sandbox.MapGet("/requests", (SandboxHost sandboxHost) => TypedResults.Ok(sandboxHost.Server.Log.All))
            .WithName("SandboxRequests").WithSummary("Every request the simulated world received, in order.");
        return app;
    }

    private static async Task<Ok<string>> PublishAsync(string host, string path, int? status, string? contentType, HttpRequest request, SandboxHost sandbox)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        sandbox.Server.Site(host).Page("/" + path, new SimulatedPage(status ?? 200, body, contentType ?? "text/plain; charset=utf-8"));
        return TypedResults.Ok($"https://{host}/{path} now answers {status ?? 200}");
    }
}
