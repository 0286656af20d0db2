using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Accounts.Tenants;

/// <summary>Keeps the tenants, api_keys, credentials and tenant_channels tables in step with the accounts events, in the events' transaction.</summary>
internal sealed class AccountsProjection(EventTypeRegistry registry) : IInlineProjection
{
    public async Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var stored in batch.Events.Where(e => e.Type.StartsWith("accounts.", StringComparison.Ordinal)))
        {
            await using var command = registry.Deserialize(stored) switch
            {
                TenantCreated e => batch.Connection.Command(
                        "INSERT INTO tenants (tenant_id, name, created_at) VALUES (@id, @name, @at)", batch.Transaction)
                    .With("id", e.TenantId).With("name", e.Name).With("at", UnixTime.ToMicroseconds(e.At)),
                ApiKeyIssued e => batch.Connection.Command(
                        "INSERT INTO api_keys (key_id, tenant_id, secret_hash, label, created_at) VALUES (@key, @tenant, @hash, @label, @at)",
                        batch.Transaction)
                    .With("key", e.KeyId).With("tenant", e.TenantId).With("hash", e.SecretSha256).With("label", e.Label)
                    .With("at", UnixTime.ToMicroseconds(e.At)),
                ApiKeyRevoked e => batch.Connection.Command(
                        "UPDATE api_keys SET revoked_at = @at WHERE key_id = @key", batch.Transaction)
                    .With("key", e.KeyId).With("at", UnixTime.ToMicroseconds(e.At)),
                CredentialAdded e => batch.Connection.Command(
                        "INSERT INTO credentials (tenant_id, credential_id, kind, label, scope, fingerprint, protected, status, created_at) "
                        + "VALUES (@tenant, @id, @kind, @label, @scope, @fingerprint, @protected, @status, @at)", batch.Transaction)
                    .With("tenant", e.Tenant).With("id", e.CredentialId).With("kind", e.Kind).With("label", e.Label)
                    .With("scope", JsonSerializer.Serialize(e.Scope, EventTypeRegistry.JsonOptions)).With("fingerprint", e.Fingerprint)
                    .With("protected", e.ProtectedSecret).With("status", CredentialStatuses.Unverified).With("at", UnixTime.ToMicroseconds(e.At)),
                CredentialVerified e => batch.Connection.Command(
                        "UPDATE credentials SET status = @status, detail = @detail, verified_at = @at"
                        + (e.Passed ? ", scope = " + ClearRefused(batch) : "") + " WHERE credential_id = @id", batch.Transaction)
                    .With("id", e.CredentialId).With("status", e.Passed ? CredentialStatuses.Verified : CredentialStatuses.Failed)
                    .With("detail", e.Detail).With("at", UnixTime.ToMicroseconds(e.At)),
                CredentialRemoved e => batch.Connection.Command("DELETE FROM credentials WHERE credential_id = @id", batch.Transaction)
                    .With("id", e.CredentialId),
                CredentialPropertyRefused e => await RefusedAsync(batch, e, cancellationToken),
                ChannelEnabled e => batch.Connection.Command(
                        "INSERT INTO tenant_channels (tenant_id, channel, enabled_at, accepted_policy) VALUES (@tenant, @channel, @at, @policy) "
                        + "ON CONFLICT (tenant_id, channel) DO UPDATE SET enabled_at = excluded.enabled_at, accepted_policy = excluded.accepted_policy", batch.Transaction)
                    .With("tenant", e.Tenant).With("channel", e.Channel).With("at", UnixTime.ToMicroseconds(e.At)).With("policy", e.AcceptedPolicy),
                ChannelDisabled e => batch.Connection.Command("DELETE FROM tenant_channels WHERE tenant_id = @tenant AND channel = @channel", batch.Transaction)
                    .With("tenant", e.Tenant).With("channel", e.Channel),
                var other => throw new InvalidOperationException($"The accounts projection has no case for {other.GetType().Name}."),
            };
            if (command is not null)
                await command.RunNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>SQL that drops the refused properties from a scope's JSON (a passed verification: the user fixed ownership).</summary>
    private static string ClearRefused(ProjectionBatch batch) =>
        batch.Dialect == SqlDialect.Postgres
            ? "(scope::jsonb - 'refusedProperties')::text"
            : "json_remove(scope, '$.refusedProperties')";

    /// <summary>The credential's scope with the refused property noted (null when the credential is gone).</summary>
    private static async Task<System.Data.Common.DbCommand?> RefusedAsync(ProjectionBatch batch, CredentialPropertyRefused e, CancellationToken cancellationToken)
    {
        await using var read = batch.Connection.Command("SELECT scope FROM credentials WHERE credential_id = @id", batch.Transaction).With("id", e.CredentialId);
        if (await read.RunScalarAsync(cancellationToken) is not string json)
            return null;
        var scope = JsonSerializer.Deserialize<CredentialScope>(json, EventTypeRegistry.JsonOptions)!;
        var refused = new Dictionary<string, string>(scope.RefusedProperties ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [e.Property] = e.Reason };
        return batch.Connection.Command("UPDATE credentials SET scope = @scope WHERE credential_id = @id", batch.Transaction)
            .With("id", e.CredentialId).With("scope", JsonSerializer.Serialize(scope with { RefusedProperties = refused }, EventTypeRegistry.JsonOptions));
    }
}
