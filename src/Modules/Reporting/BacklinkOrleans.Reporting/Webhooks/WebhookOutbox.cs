using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Subscriptions;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>
/// The last handler of the "reporting" subscription: one delivery per published event and subscribed endpoint of its
/// tenant, in the batch's transaction (unique per endpoint and event id, so a batch handed again adds nothing).
/// </summary>
internal sealed class WebhookOutbox(IOptions<WebhookOptions> options) : ISubscriptionHandler
{
    public string Subscription => Reports.ReportProjection.SubscriptionName;

    public int Order => 100;

    public async Task HandleAsync(SubscriptionBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Published.Count == 0)
            return;
        var db = batch.Database;
        var endpoints = new List<(string Tenant, string Id, IReadOnlyList<string> Types)>();
        foreach (var chunk in BulkStatements.Chunks(batch.Published.Select(p => p.Event.Tenant).Distinct().ToList()))
        {
            await using var command = db.Connection.Command("", db.Transaction);
            command.CommandText = "SELECT tenant_id, endpoint_id, event_types FROM webhook_endpoints WHERE disabled_at IS NULL AND tenant_id IN "
                + $"({BulkStatements.InList(command, "t", chunk)})";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                endpoints.Add((reader.GetString(0), reader.GetString(1), WebhookStore.Types(reader.GetString(2))));
        }
        if (endpoints.Count == 0)
            return;
        var rows = new List<object?[]>();
        foreach (var published in batch.Published)
        {
            var body = Body(published);
            var created = UnixTime.ToMicroseconds(published.Event.At);
            foreach (var endpoint in endpoints.Where(e => e.Tenant == published.Event.Tenant && (e.Types.Count == 0 || e.Types.Contains(published.Type))))
                rows.Add([$"{endpoint.Id}:{published.Id:N}", endpoint.Tenant, endpoint.Id, published.Id.ToString(), published.Type, body, "pending",
                    created, UnixTime.ToMicroseconds(published.Event.At + options.Value.GiveUpAfter), created]);
        }
        await BulkStatements.InsertAsync(db.Connection, db.Transaction, db.Dialect, "webhook_deliveries",
            ["delivery_id", "tenant_id", "endpoint_id", "event_id", "event_type", "body", "state", "next_attempt_at", "give_up_at", "created_at"],
            rows, "ON CONFLICT (endpoint_id, event_id) DO NOTHING", cancellationToken);
    }

    /// <summary>The delivered JSON: <c>{"id", "type", "tenant", "at", "data"}</c>, data being the published event.</summary>
    public static string Body(PublishedEvent published) => JsonSerializer.Serialize(new
    {
        id = published.Id,
        type = published.Type,
        tenant = published.Event.Tenant,
        at = published.Event.At,
        data = (object)published.Event,
    }, EventTypeRegistry.JsonOptions);
}
