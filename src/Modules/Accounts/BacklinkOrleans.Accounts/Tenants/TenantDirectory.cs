using System.Data.Common;
using BacklinkOrleans.Accounts.Authentication;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Accounts.Tenants;

/// <summary>Who presented a key: a tenant, or an operator (tenant administration).</summary>
internal sealed record KeyHolder(TenantId? Tenant, string KeyId)
{
    public bool IsOperator => Tenant is null;
}

/// <summary>
/// Tenants and their API keys. Changes are events (streams <c>tenant/{id}</c> and <c>operators</c>); lookups read
/// the projected tables.
/// </summary>
internal sealed class TenantDirectory(IEventStore store, EventTypeRegistry registry, IReadModelDatabase database, TimeProvider time)
    : ITenantAdministration
{
    private const string OperatorsStream = "operators";

    private static string StreamOf(TenantId tenant) => $"tenant/{tenant.Value}";

    /// <summary>Creates the tenant with a first key; null when the id is taken.</summary>
    public async Task<CreatedTenant?> CreateAsync(TenantId tenant, string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (keyId, apiKey, hash) = ApiKeySecret.Generate();
        var result = await store.AppendAsync(StreamOf(tenant), 0,
        [
            registry.ToEventData(new TenantCreated(Guid.CreateVersion7(), tenant.Value, name, now)),
            registry.ToEventData(new ApiKeyIssued(Guid.CreateVersion7(), keyId, tenant.Value, hash, "first key", now)),
        ], cancellationToken);
        if (!result.Succeeded)
            return null;
        return new CreatedTenant(
            new TenantView(tenant.Value, name, now, [new ApiKeyView(keyId, "first key", now, null)]),
            new IssuedApiKey(tenant.Value, keyId, apiKey, "first key"));
    }

    /// <summary>Issues another key to an existing tenant; null when the tenant does not exist.</summary>
    public async Task<IssuedApiKey?> IssueKeyAsync(TenantId tenant, string label, CancellationToken cancellationToken)
    {
        var (keyId, apiKey, hash) = ApiKeySecret.Generate();
        var issued = new ApiKeyIssued(Guid.CreateVersion7(), keyId, tenant.Value, hash, label, time.GetUtcNow());
        return await AppendToExistingAsync(StreamOf(tenant), issued, cancellationToken)
            ? new IssuedApiKey(tenant.Value, keyId, apiKey, label)
            : null;
    }

    /// <summary>Issues an operator key (for tenant administration).</summary>
    public async Task<string> IssueOperatorKeyAsync(string label, CancellationToken cancellationToken)
    {
        var (keyId, apiKey, hash) = ApiKeySecret.Generate();
        var issued = registry.ToEventData(new ApiKeyIssued(Guid.CreateVersion7(), keyId, null, hash, label, time.GetUtcNow()));
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var version = (await store.ReadStreamAsync(OperatorsStream, cancellationToken: cancellationToken)).Count;
            if ((await store.AppendAsync(OperatorsStream, version, [issued], cancellationToken)).Succeeded)
                return apiKey;
        }
        throw new InvalidOperationException("The operators stream kept changing; no operator key was issued.");
    }

    /// <summary>Revokes a tenant's key; false when the tenant has no such key.</summary>
    public async Task<bool> RevokeKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken)
    {
        if (await CountAsync("SELECT count(*) FROM api_keys WHERE key_id = @key AND tenant_id = @tenant AND revoked_at IS NULL",
                c => c.With("key", keyId).With("tenant", tenant.Value), cancellationToken) == 0)
            return false;
        return await AppendToExistingAsync(StreamOf(tenant), new ApiKeyRevoked(Guid.CreateVersion7(), keyId, time.GetUtcNow()), cancellationToken);
    }

    private async Task<bool> AppendToExistingAsync(string stream, IDomainEvent e, CancellationToken cancellationToken)
    {
        var data = registry.ToEventData(e);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var version = (await store.ReadStreamAsync(stream, cancellationToken: cancellationToken)).Count;
            if (version == 0)
                return false;
            if ((await store.AppendAsync(stream, version, [data], cancellationToken)).Succeeded)
                return true;
        }
        throw new InvalidOperationException($"Stream '{stream}' kept changing; the key change was not stored.");
    }

    public async Task<bool> AnyTenantAsync(CancellationToken cancellationToken) =>
        await CountAsync("SELECT count(*) FROM tenants", _ => { }, cancellationToken) > 0;

    public Task<IReadOnlyList<TenantView>> ListAsync(CancellationToken cancellationToken) => database.ReadAsync(ListAsync, cancellationToken);

    private static async Task<IReadOnlyList<TenantView>> ListAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, List<ApiKeyView>>();
        await using (var command = connection.Command("SELECT tenant_id, key_id, label, created_at, revoked_at FROM api_keys WHERE tenant_id IS NOT NULL ORDER BY created_at"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var list = keys.TryGetValue(reader.GetString(0), out var existing) ? existing : keys[reader.GetString(0)] = [];
                list.Add(new ApiKeyView(reader.GetString(1), reader.GetString(2), UnixTime.FromMicroseconds(reader.GetInt64(3)),
                    UnixTime.FromMicroseconds(reader.GetNullableInt64(4))));
            }
        }
        var tenants = new List<TenantView>();
        await using (var command = connection.Command("SELECT tenant_id, name, created_at FROM tenants ORDER BY tenant_id"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                tenants.Add(new TenantView(reader.GetString(0), reader.GetString(1), UnixTime.FromMicroseconds(reader.GetInt64(2)),
                    keys.GetValueOrDefault(reader.GetString(0)) ?? []));
        }
        return tenants;
    }

    /// <summary>The holder of a presented key, or null when it is malformed, unknown, revoked or wrong.</summary>
    public async Task<KeyHolder?> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.TryParse(presented, out var keyId, out var secret))
            return null;
        var row = await database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT tenant_id, secret_hash, revoked_at FROM api_keys WHERE key_id = @key").With("key", keyId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? (Tenant: reader.GetNullableString(0), Hash: reader.GetString(1), Revoked: !reader.IsDBNull(2)) : default;
        }, cancellationToken);
        if (row.Hash is null)
        {
            ApiKeySecret.Matches(secret, new string('0', 64)); // same work for unknown ids as for known ones
            return null;
        }
        if (!ApiKeySecret.Matches(secret, row.Hash) || row.Revoked)
            return null;
        return new KeyHolder(row.Tenant is null ? null : TenantId.From(row.Tenant), keyId);
    }

    public async Task<bool> TenantExistsAsync(TenantId tenant, CancellationToken cancellationToken) =>
        await CountAsync("SELECT count(*) FROM tenants WHERE tenant_id = @id", c => c.With("id", tenant.Value), cancellationToken) > 0;

    private Task<long> CountAsync(string sql, Action<DbCommand> parameters, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command(sql);
            parameters(command);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);
}

