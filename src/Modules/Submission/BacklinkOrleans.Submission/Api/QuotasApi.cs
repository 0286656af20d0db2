using System.Security.Claims;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Submission.Api;

/// <summary>The tenant's quotas, per credential: every window's limit, use and reset, the state and the queue.</summary>
internal static class QuotasApi
{
    public static IEndpointRouteBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        var quotas = app.MapGroup("/api/v1/quotas").WithTags("Quotas").RequireAuthorization(TenantClaims.TenantPolicy);
        quotas.MapGet("/", ListAsync).WithName("ListQuotas")
            .WithSummary("Every credential of the tenant that a channel spends: its quota's windows (limit, used, reserved, reset in the window's zone), state, queued URLs.");
        quotas.MapGet("/{credentialId}", GetAsync).WithName("GetQuota").WithSummary("One credential's quota.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<CredentialQuota>>> ListAsync(
        ClaimsPrincipal user, ICredentialDirectory credentials, ChannelRegistry channels, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var quotas = await Task.WhenAll((await credentials.ListAsync(tenant, cancellationToken))
            .SelectMany(c => ChannelsOf(c, channels).SelectMany(channel => channel.QuotaKeysOf(c).Select(key => QuotaOf(tenant, c, channel, key, grains)))));
        return TypedResults.Ok<IReadOnlyList<CredentialQuota>>(quotas);
    }

    private static async Task<Results<Ok<CredentialQuota>, NotFound<ProblemDetails>>> GetAsync(
        string credentialId, ClaimsPrincipal user, ICredentialDirectory credentials, ChannelRegistry channels, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var credential = (await credentials.ListAsync(tenant, cancellationToken)).FirstOrDefault(c => c.Id == credentialId);
        if (credential is null || ChannelsOf(credential, channels).FirstOrDefault() is not { } channel)
            return TypedResults.NotFound(new ProblemDetails
            {
                Title = "Not found",
                Status = StatusCodes.Status404NotFound,
                Detail = credential is null
                    ? $"The tenant has no credential '{credentialId}'."
                    : $"Credential '{credentialId}' is a {credential.Kind} credential; no channel of this build spends it.",
            });
        return TypedResults.Ok(await QuotaOf(tenant, credential, channel, channel.QuotaKeyOf(credential), grains));
    }

    private static IEnumerable<IChannel> ChannelsOf(CredentialView credential, ChannelRegistry channels) =>
        channels.All.Where(c => c.Descriptor.CredentialKind == credential.Kind).OrderBy(c => c.Descriptor.Purpose);

    private static async Task<CredentialQuota> QuotaOf(TenantId tenant, CredentialView credential, IChannel channel, string quotaKey, IGrainFactory grains)
    {
        var q = await grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant.Value, channel.Descriptor.Name, quotaKey)).GetQuotaAsync();
        var first = q.Windows.FirstOrDefault();
        return new CredentialQuota(credential.Id, credential.Kind, credential.Label, quotaKey, credential.Fingerprint, first?.Limit ?? 0, first?.Used ?? 0,
            q.Reserved, first?.Remaining ?? 0, first?.ResetsAt ?? default, q.State, q.StateDetail, q.BackoffUntil, q.Queued, q.BatchSize,
            q.AnswersUndelivered, channel.Descriptor.Name, q.Windows, q.ParkedUntil, q.Balance, q.AwaitingReport);
    }
}
