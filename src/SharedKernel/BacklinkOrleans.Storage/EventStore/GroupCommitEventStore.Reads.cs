using System.Data.Common;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.EventStore;

public abstract partial class GroupCommitEventStore
{
    /// <summary>The columns every read of events selects, in the order <see cref="ReadEvent"/> maps them (alias <c>e</c>).</summary>
    protected const string EventColumns = "e.position, e.event_id, e.stream_id, e.version, e.type, e.data, e.metadata, e.recorded_at";

    /// <summary>Maps the eight <see cref="EventColumns"/> starting at ordinal 0.</summary>
    protected abstract StoredEvent ReadEvent(DbDataReader reader);

    /// <summary>The database's representation of an instant, as a parameter value.</summary>
    protected abstract object ToDbTime(DateTimeOffset time);

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, DateTimeOffset? recordedUpTo = null,
        CancellationToken cancellationToken = default) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {EventColumns} FROM events e WHERE e.stream_id = @stream"
                + (recordedUpTo is null ? "" : " AND e.recorded_at <= @upTo") + " ORDER BY e.version";
            AddParameter(command, "stream", streamId);
            if (recordedUpTo is { } upTo)
                AddParameter(command, "upTo", ToDbTime(upTo));
            return await ReadEventsAsync(command, ct);
        }, cancellationToken);

    private const string ReadCurrentSql = $"SELECT {EventColumns} FROM events e WHERE e.stream_id = @stream AND e.version >= "
        + "coalesce((SELECT s.snapshot_version FROM streams s WHERE s.stream_id = @stream), 0) ORDER BY e.version";

    /// <summary>
    /// Every activation reads its stream. Where <see cref="GroupsCurrentReads"/>, the reads queued meanwhile are answered
    /// by one statement (<see cref="ReadCurrentGroupAsync"/>); otherwise one prepared command per reader connection
    /// serves them all.
    /// </summary>
    public Task<IReadOnlyList<StoredEvent>> ReadCurrentAsync(string streamId, CancellationToken cancellationToken = default)
    {
        if (!GroupsCurrentReads)
            return ReadCurrentAloneAsync(streamId, cancellationToken);
        var pending = new PendingRead(streamId);
        if (!currentReads.Writer.TryWrite(pending))
            throw new ObjectDisposedException(GetType().Name, "The event store is shut down.");
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private Task<IReadOnlyList<StoredEvent>> ReadCurrentAloneAsync(string streamId, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            var command = PreparedRead(connection, ReadCurrentSql);
            try
            {
                AddParameter(command, "stream", streamId);
                return await ReadEventsAsync(command, ct);
            }
            finally
            {
                ReleaseRead(command);
            }
        }, cancellationToken);

    /// <summary>
    /// Whether concurrent <see cref="ReadCurrentAsync"/> calls share statements: a database across the network pays a
    /// round trip and a statement per read, and an import wakes hundreds of backlinks at once (ADR 0026).
    /// </summary>
    protected virtual bool GroupsCurrentReads => false;

    /// <summary>The current events (from the latest snapshot on) of each of <paramref name="streamIds"/> that has any.</summary>
    protected virtual Task<IReadOnlyDictionary<string, List<StoredEvent>>> ReadCurrentGroupAsync(DbConnection connection,
        IReadOnlyList<string> streamIds, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not group reads.");

    private sealed class PendingRead(string streamId)
    {
        public string StreamId => streamId;

        public TaskCompletionSource<IReadOnlyList<StoredEvent>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// One of <see cref="EventStoreOptions.ReadGroupsInFlight"/> loops: takes every read queued (up to
    /// <see cref="EventStoreOptions.MaxStreamsPerRead"/>), answers them with one statement, and goes on; reads that
    /// arrive meanwhile wait for the next statement. A failed statement fails the reads it carried.
    /// </summary>
    private async Task RunCurrentReadsAsync()
    {
        var group = new List<PendingRead>();
        while (await currentReads.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < Math.Max(1, options.MaxStreamsPerRead) && currentReads.Reader.TryRead(out var pending))
                group.Add(pending);
            if (group.Count == 0)
                continue;
            try
            {
                var streamIds = group.Select(r => r.StreamId).Distinct(StringComparer.Ordinal).ToList();
                var found = await database.ReadAsync((connection, ct) => ReadCurrentGroupAsync(connection, streamIds, ct));
                Statistics.RecordReadGroup(group.Count);
                foreach (var read in group)
                    read.Completion.TrySetResult(found.TryGetValue(read.StreamId, out var events) ? events : []);
            }
            catch (Exception e)
            {
                foreach (var read in group)
                    read.Completion.TrySetException(e);
            }
        }
    }

    /// <summary>Groups rows of many streams by stream, each in version order.</summary>
    protected static async Task<IReadOnlyDictionary<string, List<StoredEvent>>> ReadGroupedAsync(DbDataReader reader,
        Func<DbDataReader, StoredEvent> read, CancellationToken cancellationToken)
    {
        var streams = new Dictionary<string, List<StoredEvent>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var e = read(reader);
            if (!streams.TryGetValue(e.StreamId, out var events))
                streams[e.StreamId] = events = [];
            events.Add(e);
        }
        foreach (var events in streams.Values)
            events.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        return streams;
    }

    /// <summary>A command for a frequent read; by default a new one (released by disposing it).</summary>
    protected virtual DbCommand PreparedRead(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    protected virtual void ReleaseRead(DbCommand command) => command.Dispose();

    public Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {EventColumns} FROM events e WHERE e.position > @after ORDER BY e.position LIMIT @max";
            AddParameter(command, "after", afterPosition);
            AddParameter(command, "max", maxCount);
            return await ReadEventsAsync(command, ct);
        }, cancellationToken);
    }

    /// <summary>
    /// The query of <see cref="ReadCommittedAsync"/>: parameters @tx, @after and @max; the event columns, then the
    /// committing transaction's id as a bigint (SQLite: position order is commit order, and the id is 0).
    /// </summary>
    protected virtual string ReadCommittedSql =>
        $"SELECT {EventColumns}, 0 FROM events e WHERE e.position > @after ORDER BY e.position LIMIT @max";

    public Task<LogPage> ReadCommittedAsync(LogCursor after, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = ReadCommittedSql;
            AddParameter(command, "tx", after.Transaction);
            AddParameter(command, "after", after.Position);
            AddParameter(command, "max", maxCount);
            var events = new List<StoredEvent>();
            var next = after;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var e = ReadEvent(reader);
                events.Add(e);
                next = new LogCursor(reader.GetInt64(8), e.Position);
            }
            return new LogPage(events, next);
        }, cancellationToken);
    }

    public Task<ChainVerificationReport> VerifyAsync(string? streamId = null, CancellationToken cancellationToken = default) =>
        database.ReadAsync((connection, ct) => VerifyAsync(connection, streamId, ct), cancellationToken);

    private async Task<ChainVerificationReport> VerifyAsync(DbConnection connection, string? streamId, CancellationToken cancellationToken)
    {
        var violations = new List<ChainViolation>();
        long streams = 0, events = 0;
        if (options.ChainKey is { } key && await RecordedChainKeyAsync(connection, cancellationToken) is var recorded && recorded != key.Id)
            violations.Add(new ChainViolation("(the log)", null, recorded is null
                ? "the log records no key for its hash chains: the record was removed, or a Host with this key never started on it"
                : $"the log's hash chains were made with chain key {recorded}, not with this master key's {key.Id}"));
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {EventColumns}, e.hash, s.version, s.head_hash FROM events e "
                + "LEFT JOIN streams s ON s.stream_id = e.stream_id"
                + (streamId is null ? "" : " WHERE e.stream_id = @stream") + " ORDER BY e.stream_id, e.version";
            if (streamId is not null)
                AddParameter(command, "stream", streamId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            StreamCursor? cursor = null;
            while (await reader.ReadAsync(cancellationToken))
            {
                var e = ReadEvent(reader);
                if (cursor is null || cursor.StreamId != e.StreamId)
                {
                    cursor?.Finish(violations);
                    streams++;
                    cursor = new StreamCursor(options.ChainKey, e.StreamId,
                        reader.IsDBNull(9) ? null : reader.GetInt64(9),
                        reader.IsDBNull(10) ? null : reader.GetFieldValue<byte[]>(10));
                }
                cursor.Check(e, reader.GetFieldValue<byte[]>(8), violations);
                events++;
            }
            cursor?.Finish(violations);
        }
        await using (var orphans = connection.CreateCommand())
        {
            orphans.CommandText = "SELECT s.stream_id, s.version FROM streams s WHERE NOT EXISTS "
                + "(SELECT 1 FROM events e WHERE e.stream_id = s.stream_id)" + (streamId is null ? "" : " AND s.stream_id = @stream");
            if (streamId is not null)
                AddParameter(orphans, "stream", streamId);
            await using var reader = await orphans.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                streams++;
                violations.Add(new ChainViolation(reader.GetString(0), null,
                    $"the head records version {reader.GetInt64(1)} but the stream has no events: events were deleted"));
            }
        }
        return new ChainVerificationReport(streams, events, violations);
    }

    private sealed class StreamCursor(EventChainKey? key, string streamId, long? headVersion, byte[]? headHash)
    {
        private long lastVersion;
        private byte[] lastHash = EventHashChain.Genesis;

        public string StreamId => streamId;

        public void Check(StoredEvent e, byte[] storedHash, List<ChainViolation> violations)
        {
            if (e.Version != lastVersion + 1)
                violations.Add(new ChainViolation(streamId, e.Version,
                    $"version {e.Version} follows version {lastVersion}: events were deleted or inserted"));
            if (!EventHashChain.Compute(key, lastHash, e).AsSpan().SequenceEqual(storedHash))
                violations.Add(new ChainViolation(streamId, e.Version,
                    "the hash does not match the event and its predecessor: the row was modified, inserted or a predecessor removed"));
            lastVersion = e.Version;
            lastHash = storedHash;
        }

        public void Finish(List<ChainViolation> violations)
        {
            if (headVersion is null || headHash is null)
                violations.Add(new ChainViolation(streamId, null, "the stream has events but no head: it was written outside the store"));
            else if (headVersion != lastVersion || !headHash.AsSpan().SequenceEqual(lastHash))
                violations.Add(new ChainViolation(streamId, lastVersion,
                    $"the head records version {headVersion} but the log ends at version {lastVersion}: events were deleted or added outside the store"));
        }
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var result = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            result.Add(ReadEvent(reader));
        return result;
    }

    protected static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
