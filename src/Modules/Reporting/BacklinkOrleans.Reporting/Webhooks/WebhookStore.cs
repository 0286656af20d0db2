using System.Data.Common;
using System.Security.Cryptography;
using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.AspNetCore.DataProtection;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>A delivery claimed for sending, with what it needs: the endpoint's URL and secret, the body.</summary>
internal sealed record DueDelivery(string Id, string Tenant, string EndpointId, string EventId, string EventType, string Url, string Secret, string Body,
    int Attempts, DateTimeOffset GiveUpAt);

/// <summary>Webhook endpoints, deliveries and attempts. Secrets are encrypted under a per-tenant Data Protection purpose.</summary>
internal sealed class WebhookStore(IReadModelDatabase database, IDataProtectionProvider protection, TimeProvider time)
{
    private const string Purpose = "BacklinkOrleans.Reporting.Webhooks";
    private const string EndpointColumns = "endpoint_id, url, event_types, description, created_at, disabled_at";
    private const string DeliveryColumns = "delivery_id, event_id, event_type, state, attempts, last_status, last_error, created_at, next_attempt_at, delivered_at";

    private IDataProtector For(string tenant) => protection.CreateProtector(Purpose, $"tenant:{tenant}");

    public async Task<CreatedWebhook> CreateAsync(string tenant, string url, IReadOnlyList<string> types, string? description, CancellationToken cancellationToken)
    {
        var id = $"wh_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var secret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_')}";
        var now = time.GetUtcNow();
        await database.WriteAsync("webhook-endpoint", async (connection, transaction, ct) =>
        {
            await using var command = connection.Command("INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, secret, event_types, description, created_at) "
                + "VALUES (@tenant, @id, @url, @secret, @types, @description, @now)", transaction)
                .With("tenant", tenant).With("id", id).With("url", url).With("secret", For(tenant).Protect(secret))
                .With("types", string.Join(',', types)).With("description", description).With("now", UnixTime.ToMicroseconds(now));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
        return new CreatedWebhook(new WebhookEndpointView(id, url, types, description, now, false), secret);
    }

    public Task<IReadOnlyList<WebhookEndpointView>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<WebhookEndpointView>>(async (connection, ct) =>
        {
            await using var command = connection.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE tenant_id = @tenant ORDER BY created_at, endpoint_id")
                .With("tenant", tenant);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var list = new List<WebhookEndpointView>();
            while (await reader.ReadAsync(ct))
                list.Add(new WebhookEndpointView(reader.GetString(0), reader.GetString(1), Types(reader.GetString(2)), reader.GetNullableString(3),
                    UnixTime.FromMicroseconds(reader.GetInt64(4)), !reader.IsDBNull(5)));
            return list;
        }, cancellationToken);

    public Task<bool> DisableAsync(string tenant, string id, CancellationToken cancellationToken) =>
        database.WriteAsync("webhook-endpoint", async (connection, transaction, ct) =>
        {
            await using var command = connection.Command("UPDATE webhook_endpoints SET disabled_at = @now WHERE tenant_id = @tenant AND endpoint_id = @id AND disabled_at IS NULL", transaction)
                .With("now", UnixTime.ToMicroseconds(time.GetUtcNow())).With("tenant", tenant).With("id", id);
            var changed = await command.ExecuteNonQueryAsync(ct) == 1;
            await using var stop = connection.Command("UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL, last_error = 'endpoint removed' "
                + "WHERE tenant_id = @tenant AND endpoint_id = @id AND state = 'pending'", transaction).With("tenant", tenant).With("id", id);
            await stop.ExecuteNonQueryAsync(ct);
            return changed;
        }, cancellationToken);

    /// <summary>The endpoint's deliveries, newest first (null: no such endpoint of the tenant).</summary>
    public Task<IReadOnlyList<WebhookDeliveryView>?> DeliveriesAsync(string tenant, string id, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<WebhookDeliveryView>?>(async (connection, ct) =>
        {
            if (!await ExistsAsync(connection, tenant, id, ct))
                return null;
            await using var command = connection.Command($"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE tenant_id = @tenant AND endpoint_id = @id "
                + "ORDER BY created_at DESC, delivery_id LIMIT @limit").With("tenant", tenant).With("id", id).With("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var list = new List<WebhookDeliveryView>();
            while (await reader.ReadAsync(ct))
                list.Add(new WebhookDeliveryView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (int)reader.GetInt64(4),
                    (int?)reader.GetNullableInt64(5), reader.GetNullableString(6), UnixTime.FromMicroseconds(reader.GetInt64(7)),
                    UnixTime.FromMicroseconds(reader.GetNullableInt64(8)), UnixTime.FromMicroseconds(reader.GetNullableInt64(9))));
            return list;
        }, cancellationToken);

    /// <summary>Sends a delivery again now (whatever its state), with a new day to succeed in.</summary>
    public Task<bool> RedeliverAsync(string tenant, string endpointId, string deliveryId, TimeSpan giveUpAfter, CancellationToken cancellationToken) =>
        database.WriteAsync("webhook-delivery", async (connection, transaction, ct) =>
        {
            var now = time.GetUtcNow();
            await using var command = connection.Command("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = @now, give_up_at = @giveUp "
                + "WHERE tenant_id = @tenant AND endpoint_id = @endpoint AND delivery_id = @id "
                + "AND endpoint_id IN (SELECT endpoint_id FROM webhook_endpoints WHERE tenant_id = @tenant AND disabled_at IS NULL)", transaction)
                .With("now", UnixTime.ToMicroseconds(now)).With("giveUp", UnixTime.ToMicroseconds(now + giveUpAfter))
                .With("tenant", tenant).With("endpoint", endpointId).With("id", deliveryId);
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }, cancellationToken);

    /// <summary>Claims up to <paramref name="max"/> due deliveries: their next attempt moves past the send, so a crash retries them later, not twice now.</summary>
    public async Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Nothing due (the usual case) costs a read, not a write transaction.
        var anyDue = await database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= @now LIMIT 1")
                .With("now", UnixTime.ToMicroseconds(time.GetUtcNow()));
            return await command.ExecuteScalarAsync(ct) is not null;
        }, cancellationToken);
        return anyDue ? await ClaimAsync(max, lease, cancellationToken) : [];
    }

    private Task<IReadOnlyList<DueDelivery>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<DueDelivery>>("webhook-claim", async (connection, transaction, ct) =>
        {
            var now = time.GetUtcNow();
            var due = new List<DueDelivery>();
            await using (var command = connection.Command("SELECT d.delivery_id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, e.url, e.secret, d.body, d.attempts, d.give_up_at "
                + "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.endpoint_id = d.endpoint_id "
                + "WHERE d.state = 'pending' AND d.next_attempt_at <= @now ORDER BY d.next_attempt_at, d.delivery_id LIMIT @max", transaction)
                .With("now", UnixTime.ToMicroseconds(now)).With("max", max))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                {
                    var tenant = reader.GetString(1);
                    due.Add(new DueDelivery(reader.GetString(0), tenant, reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                        For(tenant).Unprotect(reader.GetString(6)), reader.GetString(7), (int)reader.GetInt64(8), UnixTime.FromMicroseconds(reader.GetInt64(9))));
                }
            foreach (var chunk in BulkStatements.Chunks(due.Select(d => d.Id).ToList()))
            {
                await using var claim = connection.Command("", transaction).With("until", UnixTime.ToMicroseconds(now + lease));
                claim.CommandText = $"UPDATE webhook_deliveries SET next_attempt_at = @until WHERE delivery_id IN ({BulkStatements.InList(claim, "d", chunk)})";
                await claim.ExecuteNonQueryAsync(ct);
            }
            return due;
        }, cancellationToken);

    /// <summary>Records an attempt: delivered, or the next attempt (null: given up).</summary>
    public Task RecordAsync(DueDelivery delivery, int? status, string? error, long durationMs, DateTimeOffset? nextAttempt, CancellationToken cancellationToken) =>
        database.WriteAsync("webhook-attempt", async (connection, transaction, ct) =>
        {
            var now = time.GetUtcNow();
            var delivered = error is null;
            await using var update = connection.Command("UPDATE webhook_deliveries SET attempts = attempts + 1, state = @state, last_status = @status, last_error = @error, "
                + "next_attempt_at = @next, delivered_at = @delivered WHERE delivery_id = @id RETURNING attempts", transaction)
                .With("state", delivered ? "delivered" : nextAttempt is null ? "failed" : "pending").With("status", status).With("error", error)
                .With("next", UnixTime.ToMicroseconds(nextAttempt)).With("delivered", delivered ? UnixTime.ToMicroseconds(now) : null).With("id", delivery.Id);
            var attempt = Convert.ToInt64(await update.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            await using var log = connection.Command("INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES (@id, @attempt, @at, @status, @error, @ms) "
                + "ON CONFLICT (delivery_id, attempt) DO NOTHING", transaction)
                .With("id", delivery.Id).With("attempt", attempt).With("at", UnixTime.ToMicroseconds(now)).With("status", status).With("error", error).With("ms", durationMs);
            return await log.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    private static async Task<bool> ExistsAsync(DbConnection connection, string tenant, string id, CancellationToken ct)
    {
        await using var command = connection.Command("SELECT 1 FROM webhook_endpoints WHERE tenant_id = @tenant AND endpoint_id = @id").With("tenant", tenant).With("id", id);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    public static IReadOnlyList<string> Types(string stored) => stored.Length == 0 ? [] : stored.Split(',');
}
