using BacklinkOrleans.SharedKernel.EventSourcing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BacklinkOrleans.Host.Diagnostics;

internal static class ProbeEndpoints
{
    public static IServiceCollection AddStorageProbe(this IServiceCollection services) =>
        services.AddEventType<ProbeNoted>(StorageProbeGrain.EventAlias);

    /// <summary>Mapped only when Diagnostics:ProbeEndpoints is true (deployment smoke tests; off by default); operator key only.</summary>
    public static IEndpointRouteBuilder MapProbeEndpoints(this IEndpointRouteBuilder app)
    {
        var probes = app.MapGroup("/ops/probes").WithTags("Diagnostics").RequireAuthorization(SharedKernel.Tenancy.TenantClaims.OperatorPolicy);
        probes.MapPost("/{key}", TouchAsync).WithName("TouchProbe")
            .WithSummary("Append an event, write grain state and register a reminder on the named probe.");
        probes.MapGet("/{key}", GetAsync).WithName("GetProbe").WithSummary("Read a probe back.");
        return app;
    }

    private static async Task<Ok<ProbeReport>> TouchAsync(string key, string? note, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IStorageProbeGrain>(key).TouchAsync(note ?? "touched"));

    private static async Task<Ok<ProbeReport>> GetAsync(string key, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IStorageProbeGrain>(key).GetAsync());
}
