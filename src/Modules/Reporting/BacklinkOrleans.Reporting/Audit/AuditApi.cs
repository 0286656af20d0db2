using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.Subscriptions;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Reporting.Audit;

/// <summary>The operator's audit: replays every stream and answers what the checks found (the same as <c>audit verify</c>).</summary>
internal static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/audit/verify", async (AuditRunner audit, IGrainFactory grains, SubscriptionRunner subscriptions, CancellationToken ct) =>
            {
                // The read models are brought up to what is committed, so the comparison with the replay is exact.
                foreach (var name in subscriptions.Names)
                    await grains.GetGrain<ISubscriptionGrain>(name).CatchUpAsync();
                var report = await audit.VerifyAsync(null, ct);
                return TypedResults.Ok(report);
            })
            .WithTags("Audit").RequireAuthorization(TenantClaims.OperatorPolicy)
            .WithName("VerifyAudit").WithSummary("Replay every stream: hash chains, at most one acceptance per channel per 24 h and 1 + recovery limit in all, "
                + "no quota window over its limit, read models equal to a replay. clean: true only when nothing was found.");
        return app;
    }
}
