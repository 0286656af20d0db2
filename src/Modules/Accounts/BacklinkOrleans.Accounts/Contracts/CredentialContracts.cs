using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Accounts.Contracts;

/// <summary>The credential kinds of the channels that ship with the product (each registers its <see cref="ICredentialKind"/>).</summary>
public static class CredentialKinds
{
    public const string IndexNow = "indexnow";
    public const string Google = "google";
    public const string Vendor = "vendor";
    public const string Serp = "serp";
}

public static class CredentialStatuses
{
    public const string Unverified = "unverified";
    public const string Verified = "verified";
    public const string Failed = "failed";
}

/// <summary>
/// What a credential covers and what the product may know of it; never secret. Each kind fills what it needs:
/// IndexNow a host (a keyLocation, an endpoint); Google a service account's email, its Cloud project and the Search
/// Console properties it owns (with those the API refused, and why); a SERP API nothing (any host); a paid vendor
/// account the hosts it is restricted to (none: any host), its prices per URL submitted and per check, and the
/// balance below which it shows as low.
/// </summary>
public sealed record CredentialScope(
    string? Host = null,
    string? KeyLocation = null,
    string? Endpoint = null,
    string? ClientEmail = null,
    IReadOnlyList<string>? Properties = null,
    string? ProjectId = null,
    IReadOnlyDictionary<string, string>? RefusedProperties = null,
    IReadOnlyList<string>? Hosts = null,
    decimal? CostPerUrl = null,
    decimal? CostPerCheck = null,
    long? LowBalance = null);

/// <summary>A credential as the API shows it: its scope and a fingerprint, never the secret.</summary>
public sealed record CredentialView(
    string Id, string Kind, string Label, CredentialScope Scope, string Fingerprint, string Status, string? Detail,
    DateTimeOffset? VerifiedAt, DateTimeOffset CreatedAt);

/// <summary>Which of a tenant's credentials exist and what they cover: what routing and the channels need.</summary>
public interface ICredentialDirectory
{
    /// <summary>The tenant's credentials (cached briefly per silo; a change made through this silo is seen at once).</summary>
    Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken);

    /// <summary>Drops this silo's cached copy of the tenant's credentials (told of a change made through another silo).</summary>
    void Invalidate(TenantId tenant);

    /// <summary>The decrypted secret, for the channel that sends with it; null when there is no such credential.</summary>
    Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken);

    /// <summary>Records what a channel learned about a credential's scope (a property Google refused, and why).</summary>
    Task RefusePropertyAsync(TenantId tenant, string credentialId, string property, string reason, CancellationToken cancellationToken);

    /// <summary>The channels the tenant turned on (those that need an explicit decision, such as Google's; cached with the credentials).</summary>
    Task<IReadOnlySet<string>> EnabledChannelsAsync(TenantId tenant, CancellationToken cancellationToken);

    /// <summary>Turns a channel on (recording the policy the tenant accepted) or off for the tenant.</summary>
    Task SetChannelEnabledAsync(TenantId tenant, string channel, bool enabled, string? acceptedPolicy, CancellationToken cancellationToken);
}

/// <summary>
/// Told, in the silo that made it, once a change of a tenant's credential is stored: added, verified (passed or not),
/// removed, a property refused. <paramref name="credential"/> is the credential as it was before a removal, as it is
/// now otherwise. The Submission module wakes the quota grains that send with it, so a key verified again is used at
/// once; quota grains still read their credentials periodically, so a notice lost with its silo costs only time.
/// </summary>
public interface ICredentialChangeListener
{
    Task CredentialChangedAsync(TenantId tenant, CredentialView credential, CancellationToken cancellationToken);
}

/// <summary>
/// A kind of credential, registered by the channel that sends with it: how the fields of an add request become a
/// secret (encrypted before it is stored), a scope and a fingerprint, and how a stored credential is verified. The
/// request is a JSON object <c>{"kind": …, "label": …, …the kind's own fields}</c>.
/// </summary>
public interface ICredentialKind
{
    string Kind { get; }

    /// <summary>One sentence for people: the fields this kind takes.</summary>
    string Describe { get; }

    /// <summary>Reads the kind's fields of an add request.</summary>
    CredentialDraft Read(JsonElement request);

    /// <summary>A key no two of a tenant's credentials of this kind may share (one IndexNow key per host); null: no such rule.</summary>
    string? UniqueKeyOf(CredentialScope scope);

    /// <summary>Verifies a stored credential against its service (a key file, a token, an account); null when the kind is not verifiable.</summary>
    Task<CredentialCheck?> VerifyAsync(CredentialView credential, string secret, CancellationToken cancellationToken);
}

/// <summary>An add request as a kind read it: the secret, the scope and the fingerprint, or the errors by field.</summary>
public sealed record CredentialDraft(string? Secret, CredentialScope? Scope, string? Fingerprint, IReadOnlyDictionary<string, string[]>? Errors)
{
    public static CredentialDraft Of(string secret, CredentialScope scope, string fingerprint) => new(secret, scope, fingerprint, null);

    public static CredentialDraft Invalid(params (string Field, string Message)[] errors) =>
        new(null, null, null, errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));

    public bool IsValid => Errors is null or { Count: 0 };
}

/// <summary>The outcome of a verification. Not <see cref="Definite"/>: the service could not be asked (a timeout): the status stays.</summary>
public sealed record CredentialCheck(bool Passed, string Detail, bool Definite = true);

[GenerateSerializer, Immutable, Alias("accounts.credential-added.v1")]
public sealed record CredentialAdded(Guid EventId, string Tenant, string CredentialId, string Kind, string Label, CredentialScope Scope,
    string Fingerprint, string ProtectedSecret, DateTimeOffset At) : IDomainEvent;

[GenerateSerializer, Immutable, Alias("accounts.credential-verified.v1")]
public sealed record CredentialVerified(Guid EventId, string CredentialId, bool Passed, string Detail, DateTimeOffset At) : IDomainEvent;

[GenerateSerializer, Immutable, Alias("accounts.credential-removed.v1")]
public sealed record CredentialRemoved(Guid EventId, string CredentialId, DateTimeOffset At) : IDomainEvent;

/// <summary>A channel's service refused one of the credential's properties (Google: the account is not its owner).</summary>
[GenerateSerializer, Immutable, Alias("accounts.credential-property-refused.v1")]
public sealed record CredentialPropertyRefused(Guid EventId, string CredentialId, string Property, string Reason, DateTimeOffset At) : IDomainEvent;

/// <summary>The tenant turned a channel on, having accepted <see cref="AcceptedPolicy"/> (kept for audits).</summary>
[GenerateSerializer, Immutable, Alias("accounts.channel-enabled.v1")]
public sealed record ChannelEnabled(Guid EventId, string Tenant, string Channel, string? AcceptedPolicy, DateTimeOffset At) : IDomainEvent;

/// <summary>The tenant turned a channel off.</summary>
[GenerateSerializer, Immutable, Alias("accounts.channel-disabled.v1")]
public sealed record ChannelDisabled(Guid EventId, string Tenant, string Channel, DateTimeOffset At) : IDomainEvent;
