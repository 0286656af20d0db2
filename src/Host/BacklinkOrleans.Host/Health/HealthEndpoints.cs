using BacklinkOrleans.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BacklinkOrleans.Host.Health;

/// <summary>A member of the cluster as the readiness answer lists it.</summary>
public sealed record ClusterMemberAnswer(string Address, string Name, string Status);

/// <summary>Readiness: the storage answers, this silo is active, and which silos the cluster has.</summary>
public sealed record ReadinessAnswer(
    string Status,
    string Profile,
    string Storage,
    string? StorageError,
    string Silo,
    string SiloStatus,
    IReadOnlyList<ClusterMemberAnswer> Members);

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => TypedResults.Ok(new { status = "live" }))
            .WithName("Live").WithSummary("The process is up.");
        health.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("Storage reachable, silo active, cluster members listed; 503 otherwise.");
        return app;
    }

    private static async Task<Results<Ok<ReadinessAnswer>, JsonHttpResult<ReadinessAnswer>>> ReadyAsync(
        IBacklinkDatabase database,
        StorageSettings storage,
        ISiloStatusOracle oracle,
        IClusterMembershipService membership,
        CancellationToken cancellationToken)
    {
        string? storageError = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await database.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            storageError = e.Message;
        }

        var members = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(m => new ClusterMemberAnswer(m.SiloAddress.ToString(), m.Name, m.Status.ToString()))
            .ToList();
        var ready = storageError is null && oracle.CurrentStatus == SiloStatus.Active;
        var answer = new ReadinessAnswer(ready ? "ready" : "not-ready", storage.ProfileName, database.Description, storageError,
            oracle.SiloAddress.ToString(), oracle.CurrentStatus.ToString(), members);
        return ready ? TypedResults.Ok(answer) : TypedResults.Json(answer, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
