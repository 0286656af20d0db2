using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.Audit;

/// <summary>
/// The campaigns' counters equal a replay: every backlink stream folded from its first event, counted once in each
/// campaign it belongs to under its state and reason, gives the stored counts. The counters are written in the events'
/// own transactions, so they are compared with the log as it was read: only when no event was appended meanwhile
/// (the same snapshot holds the same number of events, the last at the same position).
/// </summary>
internal sealed class CounterAuditCheck(EventTypeRegistry registry, IReadModelDatabase database) : IAuditCheck
{
    private readonly Dictionary<string, (BacklinkRow Row, HashSet<string> Campaigns)> backlinks = new(StringComparer.Ordinal);
    private long events;
    private long lastPosition;

    public string Name => "campaign-counters";

    public string Rule => "Every campaign's counters per state and reason equal a replay of its backlinks' streams.";

    public void Observe(StoredEvent stored)
    {
        events++;
        lastPosition = Math.Max(lastPosition, stored.Position);
        if (!stored.StreamId.StartsWith(StreamIds.BacklinkPrefix, StringComparison.Ordinal))
            return;
        var e = (IBacklinkEvent)registry.Deserialize(stored);
        backlinks.TryGetValue(stored.StreamId, out var known);
        if (BacklinkRow.Apply(known.Row, e, stored.Version, TimeSpan.Zero) is not { } row)
            return;
        var campaigns = known.Campaigns ?? [row.Campaign];
        if (e is BacklinkJoinedCampaign joined)
            campaigns.Add(joined.CampaignId);
        backlinks[stored.StreamId] = (row, campaigns);
    }

    public async Task<IReadOnlyList<AuditViolation>> FinishAsync(CancellationToken cancellationToken)
    {
        var (stored, logCount, logLast) = await database.ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            var counts = new Dictionary<(string, string, string, string), long>();
            await using (var command = connection.Command("SELECT tenant_id, campaign_id, state, reason, count FROM campaign_counters", transaction))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    counts[(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))] = reader.GetInt64(4);
            }
            await using var log = connection.Command("SELECT count(*), coalesce(max(position), 0) FROM events", transaction);
            await using var head = await log.ExecuteReaderAsync(ct);
            await head.ReadAsync(ct);
            return (counts, head.GetInt64(0), head.GetInt64(1));
        }, cancellationToken);
        if (logCount != events || logLast != lastPosition)
            return []; // the log moved while it was read: the counters hold events this replay has not seen

        var replayed = new Dictionary<(string, string, string, string), long>();
        foreach (var (row, campaigns) in backlinks.Values)
        {
            foreach (var campaign in campaigns)
            {
                var key = (row.Tenant, campaign, row.State, row.Reason ?? "");
                replayed[key] = replayed.GetValueOrDefault(key) + 1;
            }
        }
        var violations = new List<AuditViolation>();
        foreach (var key in replayed.Keys.Union(stored.Keys).Order())
        {
            var (want, have) = (replayed.GetValueOrDefault(key), stored.GetValueOrDefault(key));
            if (want != have)
                violations.Add(new AuditViolation(Name, $"{StreamIds.CampaignPrefix}{key.Item1}/{key.Item2}", null,
                    $"counter {key.Item3}{(key.Item4.Length > 0 ? ":" + key.Item4 : "")} is {have}, the replay counts {want}"));
        }
        return violations;
    }
}
