using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Accounts.Contracts;

public static class CredentialKinds
{
    public const string IndexNow = "indexnow";
    public const string Google = "google";
    public const string Vendor = "vendor";

    /// <summary>The IndexNow endpoints (they share submissions); a key is sent to one.</summary>
    public static readonly IReadOnlyList<string> IndexNowEndpoints =
        ["api.indexnow.org", "www.bing.com", "yandex.com", "search.seznam.cz", "searchadvisor.naver.com", "indexnow.yep.com"];
}

public static class CredentialStatuses
{
    public const string Unverified = "unverified";
    public const string Verified = "verified";
    public const string Failed = "failed";
}

/// <summary>
/// Add a credential. IndexNow: <c>host</c>, <c>key</c>, optional <c>keyLocation</c> and <c>endpoint</c>. Google:
/// <c>serviceAccountJson</c> and the Search Console <c>properties</c> it owns (<c>sc-domain:example.com</c> or a
/// URL prefix such as <c>https://www.example.com/</c>). Vendor: <c>apiKey</c>.
/// </summary>
public sealed record AddCredentialRequest(
    string? Kind,
    string? Label,
    string? Host,
    string? Key,
    string? KeyLocation,
    string? Endpoint,
    string? ServiceAccountJson,
    IReadOnlyList<string>? Properties,
    string? ApiKey);

/// <summary>What a credential covers; never secret.</summary>
public sealed record CredentialScope(
    string? Host = null,
    string? KeyLocation = null,
    string? Endpoint = null,
    string? ClientEmail = null,
    IReadOnlyList<string>? Properties = null);

/// <summary>A credential as the API shows it: its scope and a fingerprint, never the secret.</summary>
public sealed record CredentialView(
    string Id, string Kind, string Label, CredentialScope Scope, string Fingerprint, string Status, string? Detail,
    DateTimeOffset? VerifiedAt, DateTimeOffset CreatedAt);

/// <summary>Which of a tenant's credentials exist and what they cover: what routing needs.</summary>
public interface ICredentialDirectory
{
    Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken);

    /// <summary>The decrypted secret, for the channel that sends with it; null when there is no such credential.</summary>
    Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken);
}

[GenerateSerializer, Immutable, Alias("accounts.credential-added.v1")]
public sealed record CredentialAdded(Guid EventId, string Tenant, string CredentialId, string Kind, string Label, CredentialScope Scope,
    string Fingerprint, string ProtectedSecret, DateTimeOffset At) : IDomainEvent;

[GenerateSerializer, Immutable, Alias("accounts.credential-verified.v1")]
public sealed record CredentialVerified(Guid EventId, string CredentialId, bool Passed, string Detail, DateTimeOffset At) : IDomainEvent;

[GenerateSerializer, Immutable, Alias("accounts.credential-removed.v1")]
public sealed record CredentialRemoved(Guid EventId, string CredentialId, DateTimeOffset At) : IDomainEvent;
