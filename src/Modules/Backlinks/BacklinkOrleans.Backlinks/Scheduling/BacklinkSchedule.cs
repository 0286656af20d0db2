using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.Scheduling;

/// <summary>
/// The operational side of <c>next_action_at</c>: the sweeper claims due rows (pushing them out by a lease, so a
/// drive that dies is retried after it), and a backlink that cannot proceed yet defers itself. Events set the
/// column on every state change; these writes only move it.
/// </summary>
internal sealed class BacklinkSchedule(IReadModelDatabase database)
{
    /// <summary>Claims up to <paramref name="limit"/> overdue, non-terminal backlinks of active campaigns.</summary>
    public async Task<IReadOnlyList<(string Tenant, string UrlHash)>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil,
        int limit, CancellationToken cancellationToken)
    {
        var due = new List<(string, string)>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var command = connection.Command(
                         "SELECT b.tenant_id, b.url_hash FROM backlinks b JOIN campaigns c ON c.tenant_id = b.tenant_id AND c.campaign_id = b.campaign_id "
                         + "WHERE b.next_action_at IS NOT NULL AND b.next_action_at <= @now AND c.status = 'active' "
                         + "ORDER BY b.next_action_at LIMIT @limit")
                     .With("now", UnixTime.ToMicroseconds(now)).With("limit", (long)limit))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                due.Add((reader.GetString(0), reader.GetString(1)));
        }
        var claimed = new List<(string, string)>(due.Count);
        foreach (var (tenant, hash) in due)
        {
            await using var claim = connection.Command(
                    "UPDATE backlinks SET next_action_at = @lease WHERE tenant_id = @tenant AND url_hash = @hash AND next_action_at <= @now")
                .With("lease", UnixTime.ToMicroseconds(leaseUntil)).With("tenant", tenant).With("hash", hash).With("now", UnixTime.ToMicroseconds(now));
            BacklinkOrleans.SharedKernel.Diagnostics.StorageWrites.Record("schedule-claim");
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
                claimed.Add((tenant, hash)); // another silo's sweeper did not take it first
        }
        return claimed;
    }

    /// <summary>Moves a backlink's next action to <paramref name="until"/> (null: nothing pending).</summary>
    public async Task DeferAsync(string tenant, string urlHash, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE backlinks SET next_action_at = @until WHERE tenant_id = @tenant AND url_hash = @hash")
            .With("until", UnixTime.ToMicroseconds(until)).With("tenant", tenant).With("hash", urlHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
        BacklinkOrleans.SharedKernel.Diagnostics.StorageWrites.Record("schedule-defer");
    }
}
