using System.Data.Common;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>
/// Folds backlink events into the backlinks, backlink_campaigns and campaign_counters tables inside the events'
/// transaction. Counters get one aggregated delta per (campaign, state, reason) per batch, applied in a fixed
/// order, so concurrent commits never deadlock on hot counter rows.
/// </summary>
internal sealed class BacklinkProjection(EventTypeRegistry registry) : IInlineProjection
{
    private const int ChunkSize = 400;

    public async Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events.Where(e => e.StreamId.StartsWith(StreamIds.BacklinkPrefix, StringComparison.Ordinal)).ToList();
        if (events.Count == 0)
            return;
        var keys = events.Select(e => StreamIds.Split(e.StreamId, StreamIds.BacklinkPrefix)).Distinct().ToList();
        var rows = await LoadRowsAsync(batch, keys, cancellationToken);
        var memberships = await LoadMembershipsAsync(batch, keys, cancellationToken);

        var joined = new List<(string Tenant, string Campaign, string Hash, DateTimeOffset At)>();
        var deltas = new Dictionary<(string Tenant, string Campaign, string State, string Reason), long>();
        void Count(string tenant, string campaign, BacklinkRow row, long n)
        {
            var key = (tenant, campaign, row.State, row.Reason ?? "");
            deltas[key] = deltas.GetValueOrDefault(key) + n;
        }

        foreach (var stored in events)
        {
            var key = StreamIds.Split(stored.StreamId, StreamIds.BacklinkPrefix);
            var e = (IBacklinkEvent)registry.Deserialize(stored);
            rows.TryGetValue(key, out var before);
            var after = BacklinkRow.Apply(before, e, stored.Version);
            if (after is null)
                continue;
            var campaigns = memberships.TryGetValue(key, out var set) ? set : memberships[key] = [];
            if (before is null)
            {
                campaigns.Add(after.Campaign);
                joined.Add((key.Tenant, after.Campaign, key.Id, e.At));
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
                joined.Add((key.Tenant, j.CampaignId, key.Id, j.At));
                Count(key.Tenant, j.CampaignId, after, +1);
            }
            rows[key] = after;
        }

        await WriteRowsAsync(batch, rows.Values, cancellationToken);
        await WriteMembershipsAsync(batch, joined, cancellationToken);
        await WriteCountersAsync(batch, deltas, cancellationToken);
    }

    private static async Task<Dictionary<(string Tenant, string Id), BacklinkRow>> LoadRowsAsync(
        ProjectionBatch batch, List<(string Tenant, string Id)> keys, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string, string), BacklinkRow>();
        foreach (var chunk in Chunks(keys))
        {
            await using var command = InCommand(batch, chunk.Tenant, chunk.Hashes,
                "SELECT tenant_id, url_hash, url, host, campaign_id, state, reason, retired, priority, collected_at, updated_at, next_action_at, version "
                + "FROM backlinks WHERE tenant_id = @tenant AND url_hash IN ({0})");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new BacklinkRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetNullableString(6), reader.GetInt64(7) != 0,
                    (int)reader.GetInt64(8), UnixTime.FromMicroseconds(reader.GetInt64(9)), UnixTime.FromMicroseconds(reader.GetInt64(10)),
                    UnixTime.FromMicroseconds(reader.GetNullableInt64(11)), reader.GetInt64(12));
                rows[(row.Tenant, row.UrlHash)] = row;
            }
        }
        return rows;
    }

    private static async Task<Dictionary<(string Tenant, string Id), HashSet<string>>> LoadMembershipsAsync(
        ProjectionBatch batch, List<(string Tenant, string Id)> keys, CancellationToken cancellationToken)
    {
        var memberships = new Dictionary<(string, string), HashSet<string>>();
        foreach (var chunk in Chunks(keys))
        {
            await using var command = InCommand(batch, chunk.Tenant, chunk.Hashes,
                "SELECT url_hash, campaign_id FROM backlink_campaigns WHERE tenant_id = @tenant AND url_hash IN ({0})");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (chunk.Tenant, reader.GetString(0));
                (memberships.TryGetValue(key, out var set) ? set : memberships[key] = []).Add(reader.GetString(1));
            }
        }
        return memberships;
    }

    private static async Task WriteRowsAsync(ProjectionBatch batch, IEnumerable<BacklinkRow> rows, CancellationToken cancellationToken)
    {
        const string sql = "INSERT INTO backlinks (tenant_id, url_hash, url, host, campaign_id, state, reason, retired, priority, "
            + "collected_at, updated_at, next_action_at, version) VALUES (@tenant, @hash, @url, @host, @campaign, @state, @reason, "
            + "@retired, @priority, @collected, @updated, @next, @version) ON CONFLICT (tenant_id, url_hash) DO UPDATE SET "
            + "state = excluded.state, reason = excluded.reason, retired = excluded.retired, updated_at = excluded.updated_at, "
            + "next_action_at = excluded.next_action_at, version = excluded.version";
        foreach (var row in rows.OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenBy(r => r.UrlHash, StringComparer.Ordinal))
        {
            await using var command = batch.Connection.Command(sql, batch.Transaction)
                .With("tenant", row.Tenant).With("hash", row.UrlHash).With("url", row.Url).With("host", row.Host)
                .With("campaign", row.Campaign).With("state", row.State).With("reason", row.Reason).With("retired", row.Retired ? 1L : 0L)
                .With("priority", (long)row.Priority).With("collected", UnixTime.ToMicroseconds(row.CollectedAt))
                .With("updated", UnixTime.ToMicroseconds(row.UpdatedAt)).With("next", UnixTime.ToMicroseconds(row.NextActionAt))
                .With("version", row.Version);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task WriteMembershipsAsync(ProjectionBatch batch,
        List<(string Tenant, string Campaign, string Hash, DateTimeOffset At)> joined, CancellationToken cancellationToken)
    {
        foreach (var (tenant, campaign, hash, at) in joined)
        {
            await using var command = batch.Connection.Command(
                    "INSERT INTO backlink_campaigns (tenant_id, campaign_id, url_hash, joined_at) VALUES (@tenant, @campaign, @hash, @at) "
                    + "ON CONFLICT (tenant_id, campaign_id, url_hash) DO NOTHING", batch.Transaction)
                .With("tenant", tenant).With("campaign", campaign).With("hash", hash).With("at", UnixTime.ToMicroseconds(at));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task WriteCountersAsync(ProjectionBatch batch,
        Dictionary<(string Tenant, string Campaign, string State, string Reason), long> deltas, CancellationToken cancellationToken)
    {
        foreach (var ((tenant, campaign, state, reason), delta) in deltas.Where(d => d.Value != 0)
                     .OrderBy(d => d.Key.Tenant, StringComparer.Ordinal).ThenBy(d => d.Key.Campaign, StringComparer.Ordinal)
                     .ThenBy(d => d.Key.State, StringComparer.Ordinal).ThenBy(d => d.Key.Reason, StringComparer.Ordinal))
        {
            await using var command = batch.Connection.Command(
                    "INSERT INTO campaign_counters (tenant_id, campaign_id, state, reason, count) VALUES (@tenant, @campaign, @state, @reason, @delta) "
                    + "ON CONFLICT (tenant_id, campaign_id, state, reason) DO UPDATE SET count = campaign_counters.count + excluded.count",
                    batch.Transaction)
                .With("tenant", tenant).With("campaign", campaign).With("state", state).With("reason", reason).With("delta", delta);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static IEnumerable<(string Tenant, List<string> Hashes)> Chunks(List<(string Tenant, string Id)> keys) =>
        keys.GroupBy(k => k.Tenant).SelectMany(g => g.Select(k => k.Id).Chunk(ChunkSize).Select(c => (g.Key, c.ToList())));

    private static DbCommand InCommand(ProjectionBatch batch, string tenant, List<string> hashes, string sqlWithPlaceholder)
    {
        var names = hashes.Select((_, i) => $"@h{i}").ToList();
        var command = batch.Connection.Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, sqlWithPlaceholder,
            string.Join(", ", names)), batch.Transaction).With("tenant", tenant);
        for (var i = 0; i < hashes.Count; i++)
            command.With($"h{i}", hashes[i]);
        return command;
    }
}
