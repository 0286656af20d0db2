using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.Scheduling;

/// <summary>
/// The operational side of <c>next_action_at</c>: a scheduler shard claims its due backlinks in one statement per
/// batch, pushing them out by a lease so a drive that dies is retried after it. Events set the column (the inline
/// projection); a claim only moves it, and the backlink's next event sets it again.
/// </summary>
internal sealed class BacklinkSchedule(IReadModelDatabase database)
{
    /// <summary>How overdue the most overdue backlink of each claimed batch was (the scheduler's lag).</summary>
    private static readonly System.Diagnostics.Metrics.Histogram<double> SweepLag = SharedKernel.Diagnostics.Telemetry.Meter.CreateHistogram<double>(
        "backlink.scheduler.lag", "s", "How long past due the most overdue backlink of a claimed batch was.");

    /// <summary>
    /// Claims up to <paramref name="limit"/> due backlinks of active campaigns whose shard byte lies in
    /// [<paramref name="first"/>, <paramref name="last"/>]: read first (nothing due costs no write), then one statement
    /// moves the still-due ones to the lease and returns them.
    /// </summary>
    public async Task<IReadOnlyList<(string Tenant, string UrlHash)>> ClaimDueAsync(int first, int last, DateTimeOffset now, DateTimeOffset leaseUntil,
        int limit, CancellationToken cancellationToken)
    {
        var due = await database.ReadAsync<IReadOnlyList<(string Tenant, string Hash)>>(async (connection, ct) =>
        {
            await using var command = connection.Command(
                    "SELECT b.tenant_id, b.url_hash, b.next_action_at FROM backlinks b JOIN campaigns c ON c.tenant_id = b.tenant_id AND c.campaign_id = b.campaign_id "
                    + "WHERE b.shard BETWEEN @first AND @last AND b.next_action_at IS NOT NULL AND b.next_action_at <= @now AND c.status = 'active' "
                    + "ORDER BY b.next_action_at LIMIT @limit")
                .With("first", (long)first).With("last", (long)last).With("now", UnixTime.ToMicroseconds(now)).With("limit", (long)limit);
            var rows = new List<(string, string)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (rows.Count == 0) // the most overdue of the batch: how far behind the shard is
                    SweepLag.Record((now - UnixTime.FromMicroseconds(reader.GetInt64(2))).TotalSeconds);
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
            return rows;
        }, cancellationToken);
        if (due.Count == 0)
        {
            SweepLag.Record(0); // nothing overdue: the shard is keeping up
            return [];
        }
        return await database.WriteAsync<IReadOnlyList<(string, string)>>("schedule-claim", async (connection, transaction, ct) =>
        {
            var claimed = new List<(string, string)>(due.Count);
            foreach (var (tenant, hashes) in due.GroupBy(d => d.Tenant).SelectMany(g => BulkStatements.Chunks(g.Select(d => d.Hash).ToList()).Select(c => (g.Key, c))))
            {
                await using var command = connection.Command("", transaction)
                    .With("lease", UnixTime.ToMicroseconds(leaseUntil)).With("tenant", tenant).With("now", UnixTime.ToMicroseconds(now));
                // still due: another shard's or a backlink's own write may have moved it since the read
                command.CommandText = "UPDATE backlinks SET next_action_at = @lease WHERE tenant_id = @tenant AND url_hash IN "
                    + $"({BulkStatements.InList(command, "h", hashes)}) AND next_action_at <= @now RETURNING url_hash";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    claimed.Add((tenant, reader.GetString(0)));
            }
            return claimed;
        }, cancellationToken);
    }

    /// <summary>
    /// Makes the campaign's validated backlinks that wait for a later time due now (its drip-feed was planned again:
    /// their waits are the old plan's). Like a claim, it only moves <c>next_action_at</c>; their next event sets it again.
    /// </summary>
    public Task WakeWaitingAsync(string tenant, string campaign, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync<int>("schedule-wake", async (connection, transaction, ct) =>
        {
            await using var command = connection.Command("UPDATE backlinks SET next_action_at = @now WHERE tenant_id = @tenant AND campaign_id = @campaign "
                    + "AND state = 'validated' AND next_action_at > @now", transaction)
                .With("now", UnixTime.ToMicroseconds(now)).With("tenant", tenant).With("campaign", campaign);
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    /// <summary>The shard bytes [first, last] of shard <paramref name="index"/> of <paramref name="shards"/>.</summary>
    public static (int First, int Last) Range(int index, int shards)
    {
        var width = Shards.Bytes / shards;
        return (index * width, (index * width) + width - 1);
    }
}
