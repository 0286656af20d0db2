namespace BacklinkOrleans.Accounts.Contracts;

/// <summary>Create a tenant: its id (a lowercase slug used in URLs and keys) and a display name.</summary>
public sealed record CreateTenantRequest(string? Id, string? Name);

/// <summary>A tenant as listed to operators.</summary>
public sealed record TenantView(string Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<ApiKeyView> Keys);

/// <summary>An API key without its secret.</summary>
public sealed record ApiKeyView(string KeyId, string Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A newly issued key. <see cref="ApiKey"/> is shown this once; only its hash is stored.</summary>
public sealed record IssuedApiKey(string TenantId, string KeyId, string ApiKey, string Label);

public sealed record CreatedTenant(TenantView Tenant, IssuedApiKey Key);

public sealed record IssueKeyRequest(string? Label);
