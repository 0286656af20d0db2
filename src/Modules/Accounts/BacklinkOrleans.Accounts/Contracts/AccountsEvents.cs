using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.Accounts.Contracts;

/// <summary>A tenant (agency) was created.</summary>
public sealed record TenantCreated(Guid EventId, string TenantId, string Name, DateTimeOffset At) : IDomainEvent;

/// <summary>An API key was issued: to a tenant, or (TenantId null) to an operator. Only the secret's hash is kept.</summary>
public sealed record ApiKeyIssued(Guid EventId, string KeyId, string? TenantId, string SecretSha256, string Label, DateTimeOffset At) : IDomainEvent;

/// <summary>An API key was revoked; requests with it are refused from now on.</summary>
public sealed record ApiKeyRevoked(Guid EventId, string KeyId, DateTimeOffset At) : IDomainEvent;

public static class AccountsEventAliases
{
    public const string TenantCreated = "accounts.tenant-created.v1";
    public const string ApiKeyIssued = "accounts.api-key-issued.v1";
    public const string ApiKeyRevoked = "accounts.api-key-revoked.v1";
}

public static class CredentialEventAliases
{
    public const string Added = "accounts.credential-added.v1";
    public const string Verified = "accounts.credential-verified.v1";
    public const string Removed = "accounts.credential-removed.v1";
    public const string PropertyRefused = "accounts.credential-property-refused.v1";
    public const string ChannelEnabled = "accounts.channel-enabled.v1";
    public const string ChannelDisabled = "accounts.channel-disabled.v1";
}
