using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using System.Security.Claims;

namespace BacklinkOrleans.Backlinks.Api;

/// <summary>One backlink by the SHA-256 of its normalized URL: state, history, state as of a time, user commands.</summary>
internal static class BacklinksApi
{
    public static IEndpointRouteBuilder MapBacklinksApi(this IEndpointRouteBuilder app)
    {
        var backlinks = app.MapGroup("/api/v1/backlinks").WithTags("Backlinks").RequireAuthorization(TenantClaims.TenantPolicy);
        backlinks.MapGet("/{sha256}", GetAsync).WithName("GetBacklink")
            .WithSummary("The backlink's state now, or with ?asOf=<time> as it was then (replayed from its events).");
        backlinks.MapGet("/{sha256}/events", EventsAsync).WithName("GetBacklinkEvents").WithSummary("The backlink's full event history, in order.");
        backlinks.MapPost("/{sha256}/retry", (string sha256, ClaimsPrincipal user, IGrainFactory grains) => CommandAsync(sha256, user, grains, g => g.RetryAsync()))
            .WithName("RetryBacklink").WithSummary("Start a failed backlink again from routing.");
        backlinks.MapPost("/{sha256}/retire", (string sha256, ClaimsPrincipal user, IGrainFactory grains) => CommandAsync(sha256, user, grains, g => g.RetireAsync()))
            .WithName("RetireBacklink").WithSummary("End the backlink's lifecycle: no further steps, monitoring ends.");
        backlinks.MapPost("/{sha256}/check", (string sha256, ClaimsPrincipal user, IGrainFactory grains) => CommandAsync(sha256, user, grains, g => g.CheckNowAsync()))
            .WithName("CheckBacklinkNow").WithSummary("Check the index status of a submitted or indexed backlink now.");
        return app;
    }

    private static async Task<Results<Ok<BacklinkView>, NotFound<ProblemDetails>>> GetAsync(
        string sha256, DateTimeOffset? asOf, ClaimsPrincipal user, IGrainFactory grains, BacklinkHistory history, CancellationToken cancellationToken)
    {
        if (!UrlHashes.IsSha256Hex(sha256))
            return NotFound(sha256);
        var tenant = user.Tenant().Value;
        var view = asOf is { } at
            ? await history.StateAsOfAsync(tenant, sha256, at, cancellationToken)
            : await grains.GetGrain<IBacklinkGrain>($"{tenant}/{sha256}").GetAsync();
        return view is null ? NotFound(sha256, asOf) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<IReadOnlyList<BacklinkEventView>>, NotFound<ProblemDetails>>> EventsAsync(
        string sha256, ClaimsPrincipal user, BacklinkHistory history, CancellationToken cancellationToken)
    {
        if (!UrlHashes.IsSha256Hex(sha256))
            return NotFound(sha256);
        var events = await history.EventsAsync(user.Tenant().Value, sha256, cancellationToken);
        return events.Count == 0 ? NotFound(sha256) : TypedResults.Ok(events);
    }

    private static async Task<Results<Ok<BacklinkView>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> CommandAsync(
        string sha256, ClaimsPrincipal user, IGrainFactory grains, Func<IBacklinkGrain, Task<CommandOutcome>> command)
    {
        if (!UrlHashes.IsSha256Hex(sha256))
            return NotFound(sha256);
        var outcome = await command(grains.GetGrain<IBacklinkGrain>($"{user.Tenant().Value}/{sha256}"));
        if (outcome.Accepted)
            return TypedResults.Ok(outcome.Backlink!);
        return outcome.RejectionCode == "not-collected" ? NotFound(sha256) : Problems.Rejected(outcome.RejectionCode, outcome.RejectionMessage);
    }

    private static NotFound<ProblemDetails> NotFound(string sha256, DateTimeOffset? asOf = null) => Problems.NotFound(
        asOf is null ? $"No backlink {sha256} in this tenant." : $"Backlink {sha256} had not been collected by {asOf:O}.");
}
