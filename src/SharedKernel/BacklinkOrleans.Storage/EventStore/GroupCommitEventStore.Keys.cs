using System.Data.Common;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Hosting;

namespace BacklinkOrleans.Storage.EventStore;

/// <summary>The key of the log's hash chains: recorded with the log, checked at start-up, and changed by rehashing every stream.</summary>
public abstract partial class GroupCommitEventStore
{
    private const int RekeyPage = 5_000;

    /// <summary>
    /// Makes sure the log's chains are made with the configured key, before anything is appended: a new log records
    /// the key; a log written before the chain was keyed is verified (plain SHA-256) and rehashed under it when
    /// <paramref name="keyUnkeyedLog"/> says so; a log keyed by another key stops the Host (its master key is not the
    /// one the log was written with). Says what it did.
    /// </summary>
    public async Task<string> EnsureChainKeyAsync(bool keyUnkeyedLog, CancellationToken cancellationToken)
    {
        if (options.ChainKey is not { } key)
            return "the event log's hash chains are not keyed (no chain key is configured)";
        var recorded = await database.ReadAsync(RecordedChainKeyAsync, cancellationToken);
        if (recorded == key.Id)
            return $"the event log's hash chains are keyed with chain key {key.Id}";
        if (recorded is not null)
            throw new StartupCheckException($"The event log's hash chains were made with chain key {recorded}, but this Host's master key gives {key.Id}: "
                + "configure the master key the log was written with (DataProtection:MasterKey or MasterKeyFile, the same on every silo), "
                + "or change keys with the rotate-master-key verb.");
        var empty = await database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1) AS any_event";
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0;
        }, cancellationToken);
        // Whoever can write to the database can also delete the record of the key and rewrite the log with plain
        // hashes: an unkeyed log with events is rehashed only when the operator says it was written before the key.
        if (!empty && !keyUnkeyedLog)
            throw new StartupCheckException("The event log's hash chains record no key: either the log was written by a version before keyed chains "
                + "(then start once with --EventStore:KeyUnkeyedLog=true: its chains are verified and rehashed under this Host's chain key), "
                + "or the record of its key was removed from the database (then do not: run `audit verify` and restore a backup).");
        long events;
        try
        {
            events = await database.WriteAsync("chain-key", (connection, transaction, ct) => RekeyAsync(connection, transaction, null, key, ct), cancellationToken);
        }
        catch (Exception e) when (e is DbException or ChainKeyChangedException)
        {
            // Several Hosts of a cluster start together on a new database: one records the key, the others find it.
            if (await database.ReadAsync(RecordedChainKeyAsync, cancellationToken) != key.Id)
                throw;
            return $"the event log's hash chains are keyed with chain key {key.Id} (recorded by another Host starting at the same time)";
        }
        return events == 0
            ? $"a new event log: its hash chains are keyed with chain key {key.Id}"
            : $"the event log's hash chains were unkeyed: {events:N0} events verified and rehashed under chain key {key.Id}";
    }

    /// <summary>
    /// Rehashes every stream under <paramref name="to"/>, verifying each event under <paramref name="from"/> first (a
    /// broken chain is never laundered into a valid one), and records <paramref name="to"/> as the log's key — all in
    /// the caller's transaction, while nothing else writes (start-up, or a verb with the cluster stopped). Returns the
    /// number of events rehashed.
    /// </summary>
    public async Task<long> RekeyAsync(DbConnection connection, DbTransaction transaction, EventChainKey? from, EventChainKey to, CancellationToken cancellationToken)
    {
        await using var recorded = connection.CreateCommand();
        recorded.Transaction = transaction;
        recorded.CommandText = "SELECT key_id FROM event_chain WHERE id = 1";
        if (await recorded.ExecuteScalarAsync(cancellationToken) as string is var current && current != from?.Id)
            throw new ChainKeyChangedException($"The log's chains are keyed with {current ?? "no key"}, not with {from?.Id ?? "no key"}: nothing was changed.");

        await using var updateEvent = connection.CreateCommand();
        updateEvent.Transaction = transaction;
        updateEvent.CommandText = "UPDATE events SET hash = @hash WHERE position = @position";
        await using var updateHead = connection.CreateCommand();
        updateHead.Transaction = transaction;
        updateHead.CommandText = "UPDATE streams SET head_hash = @fresh WHERE stream_id = @stream AND head_hash = @old";

        long total = 0;
        string? stream = null;
        long version = 0;
        byte[] oldPrevious = EventHashChain.Genesis, newPrevious = EventHashChain.Genesis;
        while (true)
        {
            var page = new List<(StoredEvent Event, byte[] Hash)>(RekeyPage);
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                // A row comparison: both stores answer it from the (stream_id, version) index in order, page after page.
                read.CommandText = $"SELECT {EventColumns}, e.hash FROM events e WHERE (e.stream_id, e.version) > (@stream, @version) "
                    + $"ORDER BY e.stream_id, e.version LIMIT {RekeyPage}";
                AddParameter(read, "stream", stream ?? "");
                AddParameter(read, "version", version);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    page.Add((ReadEvent(reader), reader.GetFieldValue<byte[]>(8)));
            }
            if (page.Count == 0)
                break;
            foreach (var (e, stored) in page)
            {
                if (e.StreamId != stream)
                {
                    if (stream is not null)
                        await MoveHeadAsync(updateHead, stream, oldPrevious, newPrevious, cancellationToken);
                    oldPrevious = newPrevious = EventHashChain.Genesis;
                }
                if (!EventHashChain.Compute(from, oldPrevious, e).AsSpan().SequenceEqual(stored))
                    throw new InvalidOperationException($"Stream '{e.StreamId}' does not match its hash chain at version {e.Version}: a broken history is not "
                        + "rehashed. Run `audit verify` to see every violation; nothing was changed.");
                var fresh = EventHashChain.Compute(to, newPrevious, e);
                updateEvent.Parameters.Clear();
                AddParameter(updateEvent, "hash", fresh);
                AddParameter(updateEvent, "position", e.Position);
                await updateEvent.ExecuteNonQueryAsync(cancellationToken);
                (stream, version, oldPrevious, newPrevious) = (e.StreamId, e.Version, stored, fresh);
                total++;
            }
        }
        if (stream is not null)
            await MoveHeadAsync(updateHead, stream, oldPrevious, newPrevious, cancellationToken);

        await using var mark = connection.CreateCommand();
        mark.Transaction = transaction;
        mark.CommandText = "DELETE FROM event_chain; INSERT INTO event_chain (id, key_id, changed_at) VALUES (1, @key, @at)";
        AddParameter(mark, "key", to.Id);
        AddParameter(mark, "at", EventHashChain.ToUnixMicroseconds(time.GetUtcNow()));
        await mark.ExecuteNonQueryAsync(cancellationToken);
        heads.Clear(); // remembered heads carry the old hashes
        return total;
    }

    /// <summary>The id of the key the log records for its chains; null when it records none.</summary>
    private static async Task<string?> RecordedChainKeyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id FROM event_chain WHERE id = 1";
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task MoveHeadAsync(DbCommand updateHead, string stream, byte[] old, byte[] fresh, CancellationToken cancellationToken)
    {
        updateHead.Parameters.Clear();
        AddParameter(updateHead, "fresh", fresh);
        AddParameter(updateHead, "stream", stream);
        AddParameter(updateHead, "old", old);
        if (await updateHead.ExecuteNonQueryAsync(cancellationToken) != 1)
            throw new InvalidOperationException($"The head of stream '{stream}' does not match the end of its chain: nothing was changed. Run `audit verify`.");
    }
}

/// <summary>The log's chains are not keyed with the key a rehash started from (another Host recorded a key meanwhile, or a wrong key was given).</summary>
public sealed class ChainKeyChangedException(string message) : InvalidOperationException(message);
