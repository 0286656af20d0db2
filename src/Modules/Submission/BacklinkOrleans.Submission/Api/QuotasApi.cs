using System.Security.Claims;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Submission.Api;

/// <summary>The tenant's quotas, per credential: limit, used, reserved, window reset, state and queue.</summary>
internal static class QuotasApi
{
    public static IEndpointRouteBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        var quotas = app.MapGroup("/api/v1/quotas").WithTags("Quotas").RequireAuthorization(TenantClaims.TenantPolicy);
        quotas.MapGet("/", ListAsync).WithName("ListQuotas")
            .WithSummary("Every IndexNow key of the tenant: daily limit, used, reserved, window reset, state, queued URLs.");
        quotas.MapGet("/{credentialId}", GetAsync).WithName("GetQuota").WithSummary("One credential's quota.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<CredentialQuota>>> ListAsync(
        ClaimsPrincipal user, ICredentialDirectory credentials, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var keys = (await credentials.ListAsync(tenant, cancellationToken)).Where(c => c.Kind == CredentialKinds.IndexNow).ToList();
        var quotas = await Task.WhenAll(keys.Select(c => QuotaOf(tenant, c, grains)));
        return TypedResults.Ok<IReadOnlyList<CredentialQuota>>(quotas);
    }

    private static async Task<Results<Ok<CredentialQuota>, NotFound<ProblemDetails>>> GetAsync(
        string credentialId, ClaimsPrincipal user, ICredentialDirectory credentials, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var credential = (await credentials.ListAsync(tenant, cancellationToken)).FirstOrDefault(c => c.Id == credentialId);
        if (credential is null || credential.Kind != CredentialKinds.IndexNow)
            return TypedResults.NotFound(new ProblemDetails
            {
                Title = "Not found",
                Status = StatusCodes.Status404NotFound,
                Detail = credential is null
                    ? $"The tenant has no credential '{credentialId}'."
                    : $"Credential '{credentialId}' is a {credential.Kind} credential; quotas are tracked for IndexNow keys so far.",
            });
        return TypedResults.Ok(await QuotaOf(tenant, credential, grains));
    }

    private static async Task<CredentialQuota> QuotaOf(TenantId tenant, CredentialView credential, IGrainFactory grains)
    {
        var host = credential.Scope.Host!;
        var q = await grains.GetGrain<IIndexNowKeyGrain>(IndexNowKeys.GrainKey(tenant.Value, host)).GetQuotaAsync();
        return new CredentialQuota(credential.Id, credential.Kind, credential.Label, host, credential.Fingerprint, q.Limit, q.Used, q.Reserved,
            Math.Max(0, q.Limit - q.Used - q.Reserved), q.WindowResetsAt, q.State, q.StateDetail, q.BackoffUntil, q.Queued, q.BatchSize,
            q.AnswersUndelivered);
    }
}
