using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>
/// Folds backlink events into the backlinks, backlink_campaigns and campaign_counters tables inside the events'
/// transaction, set-based: the rows a group commit touches are read in a few statements, folded in memory, and
/// written back in a few multi-row statements. Counters get one aggregated delta per (campaign, state, reason) per
/// batch, written in a fixed order, so concurrent commits never deadlock on hot counter rows.
/// </summary>
/// <remarks>
/// The rows and memberships it wrote are remembered (a bounded cache), so the next commit of the same backlinks needs no
/// read: a remembered row is used only when its version is the one just before the events to fold — which no other
/// writer can have changed since, as versions follow each other — and a stream's first event needs no row at all.
/// </remarks>
internal sealed class BacklinkProjection(EventTypeRegistry registry, IOptions<BacklinkOptions> options) : IInlineProjection, IProjectionCache
{
    private readonly RecentCache<(string Tenant, string Id), (BacklinkRow Row, HashSet<string> Campaigns)> remembered = new(50_000);

    private static readonly string[] RowColumns =
        ["tenant_id", "url_hash", "url", "host", "campaign_id", "state", "reason", "retired", "priority", "collected_at", "updated_at",
         "next_action_at", "version", "shard", "waiting_for"];

    private const string RowConflict = "ON CONFLICT (tenant_id, url_hash) DO UPDATE SET state = excluded.state, reason = excluded.reason, "
        + "retired = excluded.retired, updated_at = excluded.updated_at, next_action_at = excluded.next_action_at, version = excluded.version, "
        + "waiting_for = excluded.waiting_for";

    public async Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events.Where(e => e.StreamId.StartsWith(StreamIds.BacklinkPrefix, StringComparison.Ordinal)).ToList();
        if (events.Count == 0)
            return;
        var firstVersions = new Dictionary<(string Tenant, string Id), long>();
        foreach (var e in events)
            firstVersions.TryAdd(StreamIds.Split(e.StreamId, StreamIds.BacklinkPrefix), e.Version);
        var rows = new Dictionary<(string Tenant, string Id), BacklinkRow>();
        var memberships = new Dictionary<(string Tenant, string Id), HashSet<string>>();
        var toRead = new List<(string Tenant, string Id)>();
        foreach (var (key, first) in firstVersions)
        {
            if (first == 1)
                continue; // a new backlink: no row, no campaign yet
            if (remembered.TryGet(key, out var known) && known.Row.Version == first - 1)
                (rows[key], memberships[key]) = (known.Row, [.. known.Campaigns]);
            else
                toRead.Add(key);
        }
        if (toRead.Count > 0)
        {
            foreach (var (key, row) in await LoadRowsAsync(batch, toRead, cancellationToken))
                rows[key] = row;
            foreach (var (key, campaigns) in await LoadMembershipsAsync(batch, toRead, cancellationToken))
                memberships[key] = campaigns;
        }
        var grace = options.Value.FastPathGrace;

        var changed = new Dictionary<(string Tenant, string Id), BacklinkRow>();
        var joined = new List<object?[]>();
        var deltas = new Dictionary<(string Tenant, string Campaign, string State, string Reason), long>();
        void Count(string tenant, string campaign, BacklinkRow row, long n)
        {
            var key = (tenant, campaign, row.State, row.Reason ?? "");
            deltas[key] = deltas.GetValueOrDefault(key) + n;
        }
        var costs = new Dictionary<(string Tenant, string Campaign, string Channel, string Kind), (long Units, long Micros)>();

        foreach (var stored in events)
        {
            var key = StreamIds.Split(stored.StreamId, StreamIds.BacklinkPrefix);
            var e = (IBacklinkEvent)registry.Deserialize(stored);
            rows.TryGetValue(key, out var before);
            var after = BacklinkRow.Apply(before, e, stored.Version, grace);
            if (after is null)
                continue;
            var campaigns = memberships.TryGetValue(key, out var set) ? set : memberships[key] = [];
            if (before is null)
            {
                campaigns.Add(after.Campaign);
                joined.Add([key.Tenant, after.Campaign, key.Id, UnixTime.ToMicroseconds(e.At)]);
                Count(key.Tenant, after.Campaign, after, +1);
            }
            else if ((before.State, before.Reason) != (after.State, after.Reason))
            {
                foreach (var campaign in campaigns)
                {
                    Count(key.Tenant, campaign, before, -1);
                    Count(key.Tenant, campaign, after, +1);
                }
            }
            if (e is BacklinkJoinedCampaign j && campaigns.Add(j.CampaignId))
            {
                joined.Add([key.Tenant, j.CampaignId, key.Id, UnixTime.ToMicroseconds(j.At)]);
                Count(key.Tenant, j.CampaignId, after, +1);
            }
            if (CostOf(e) is { } spent)
            {
                var costKey = (key.Tenant, after.Campaign, spent.Channel, spent.Kind);
                var sum = costs.GetValueOrDefault(costKey);
                costs[costKey] = (sum.Units + 1, sum.Micros + spent.Micros);
            }
            rows[key] = after;
            changed[key] = after;
        }

        foreach (var (key, row) in changed)
            remembered.Set(key, (row, memberships.TryGetValue(key, out var set) ? set : []));
        await BulkStatements.InsertAsync(batch.Connection, batch.Transaction, batch.Dialect, "backlinks", RowColumns,
            [.. changed.Values.OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenBy(r => r.UrlHash, StringComparer.Ordinal).Select(ToValues)],
            RowConflict, cancellationToken);
        await BulkStatements.InsertAsync(batch.Connection, batch.Transaction, batch.Dialect, "backlink_campaigns", ["tenant_id", "campaign_id", "url_hash", "joined_at"],
            joined, "ON CONFLICT (tenant_id, url_hash, campaign_id) DO NOTHING", cancellationToken);
        await BulkStatements.InsertAsync(batch.Connection, batch.Transaction, batch.Dialect, "campaign_counters", ["tenant_id", "campaign_id", "state", "reason", "count"],
            [.. deltas.Where(d => d.Value != 0)
                .OrderBy(d => d.Key.Tenant, StringComparer.Ordinal).ThenBy(d => d.Key.Campaign, StringComparer.Ordinal)
                .ThenBy(d => d.Key.State, StringComparer.Ordinal).ThenBy(d => d.Key.Reason, StringComparer.Ordinal)
                .Select(d => new object?[] { d.Key.Tenant, d.Key.Campaign, d.Key.State, d.Key.Reason, d.Value })],
            "ON CONFLICT (tenant_id, campaign_id, state, reason) DO UPDATE SET count = campaign_counters.count + excluded.count", cancellationToken);
        await BulkStatements.InsertAsync(batch.Connection, batch.Transaction, batch.Dialect, "campaign_costs",
            ["tenant_id", "campaign_id", "channel", "kind", "units", "cost_micros"],
            [.. costs.OrderBy(c => c.Key.Tenant, StringComparer.Ordinal).ThenBy(c => c.Key.Campaign, StringComparer.Ordinal)
                .ThenBy(c => c.Key.Channel, StringComparer.Ordinal).ThenBy(c => c.Key.Kind, StringComparer.Ordinal)
                .Select(c => new object?[] { c.Key.Tenant, c.Key.Campaign, c.Key.Channel, c.Key.Kind, c.Value.Units, c.Value.Micros })],
            "ON CONFLICT (tenant_id, campaign_id, channel, kind) DO UPDATE SET units = campaign_costs.units + excluded.units, "
            + "cost_micros = campaign_costs.cost_micros + excluded.cost_micros", cancellationToken);
    }

    /// <summary>What an event spent, if it spent anything: an accepted paid submission, or a paid index check.</summary>
    private static (string Channel, string Kind, long Micros)? CostOf(IBacklinkEvent e) => e switch
    {
        SubmissionAttempted { Accepted: true, Cost: { } cost } a => (a.Channel, CostKinds.Submission, CostKinds.ToMicros(cost)),
        IndexChecked { Cost: { } cost, Checker: { } checker } => (checker, CostKinds.Check, CostKinds.ToMicros(cost)),
        _ => null,
    };

    public void Forget(IReadOnlyCollection<string> streamIds)
    {
        foreach (var stream in streamIds.Where(s => s.StartsWith(StreamIds.BacklinkPrefix, StringComparison.Ordinal)))
            remembered.Remove(StreamIds.Split(stream, StreamIds.BacklinkPrefix));
    }

    private static object?[] ToValues(BacklinkRow row) =>
    [
        row.Tenant, row.UrlHash, row.Url, row.Host, row.Campaign, row.State, row.Reason, row.Retired ? 1L : 0L, (long)row.Priority,
        UnixTime.ToMicroseconds(row.CollectedAt), UnixTime.ToMicroseconds(row.UpdatedAt), UnixTime.ToMicroseconds(row.NextActionAt),
        row.Version, (long)row.Shard, row.WaitingFor is { Length: > 500 } text ? text[..500] : row.WaitingFor,
    ];

    private static async Task<Dictionary<(string Tenant, string Id), BacklinkRow>> LoadRowsAsync(
        ProjectionBatch batch, List<(string Tenant, string Id)> keys, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string, string), BacklinkRow>();
        foreach (var (tenant, hashes) in ByTenant(keys))
        {
            await using var command = batch.Connection.Command("", batch.Transaction).With("tenant", tenant);
            command.CommandText = "SELECT b.tenant_id, b.url_hash, b.url, b.host, b.campaign_id, b.state, b.reason, b.retired, b.priority, b.collected_at, "
                + "b.updated_at, b.next_action_at, b.version, b.waiting_for " + BulkStatements.TenantRowsByHash(command, batch.Dialect, "backlinks", "b", hashes);
            await using var reader = await command.RunReaderAsync(cancellationToken);
            while (await reader.NextRowAsync(cancellationToken))
            {
                var row = new BacklinkRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetNullableString(6), reader.GetInt64(7) != 0,
                    (int)reader.GetInt64(8), UnixTime.FromMicroseconds(reader.GetInt64(9)), UnixTime.FromMicroseconds(reader.GetInt64(10)),
                    UnixTime.FromMicroseconds(reader.GetNullableInt64(11)), reader.GetInt64(12), reader.GetNullableString(13));
                rows[(row.Tenant, row.UrlHash)] = row;
            }
        }
        return rows;
    }

    private static async Task<Dictionary<(string Tenant, string Id), HashSet<string>>> LoadMembershipsAsync(
        ProjectionBatch batch, List<(string Tenant, string Id)> keys, CancellationToken cancellationToken)
    {
        var memberships = new Dictionary<(string, string), HashSet<string>>();
        foreach (var (tenant, hashes) in ByTenant(keys))
        {
            await using var command = batch.Connection.Command("", batch.Transaction).With("tenant", tenant);
            command.CommandText = "SELECT m.url_hash, m.campaign_id " + BulkStatements.TenantRowsByHash(command, batch.Dialect, "backlink_campaigns", "m", hashes);
            await using var reader = await command.RunReaderAsync(cancellationToken);
            while (await reader.NextRowAsync(cancellationToken))
            {
                var key = (tenant, reader.GetString(0));
                (memberships.TryGetValue(key, out var set) ? set : memberships[key] = []).Add(reader.GetString(1));
            }
        }
        return memberships;
    }

    private static IEnumerable<(string Tenant, IReadOnlyList<string> Hashes)> ByTenant(List<(string Tenant, string Id)> keys) =>
        keys.GroupBy(k => k.Tenant).SelectMany(g => BulkStatements.Chunks(g.Select(k => k.Id).ToList()).Select(c => (g.Key, c)));
}
