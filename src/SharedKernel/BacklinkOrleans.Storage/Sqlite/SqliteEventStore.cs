using System.Data.Common;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.Storage.EventStore;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>The event store on the embedded SQLite file.</summary>
public sealed class SqliteEventStore(
    SqliteDatabase database,
    IEnumerable<IInlineProjection> projections,
    TimeProvider time,
    EventStoreOptions options,
    ILogger<SqliteEventStore> logger)
    : GroupCommitEventStore(database, projections, time, options, logger)
{
    // The database's writer thread runs the commit in an immediate transaction: the write lock is taken up front,
    // so the reads that decide the batch see the final state.

    protected override async Task<KnownState> LoadKnownAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<string> streamIds, IReadOnlyList<Guid> eventIds, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        await using (var command = Prepare(connection, transaction, "SELECT version, head_hash, snapshot_version FROM streams WHERE stream_id = @id"))
        {
            var id = command.Parameters.Add("@id", SqliteType.Text);
            foreach (var streamId in streamIds)
            {
                id.Value = streamId;
                await using var reader = await command.RunReaderAsync(cancellationToken);
                if (await reader.NextRowAsync(cancellationToken))
                    heads[streamId] = new StreamHead(streamId, reader.GetInt64(0), reader.GetFieldValue<byte[]>(1),
                        reader.IsDBNull(2) ? null : reader.GetInt64(2));
            }
        }
        var stored = new Dictionary<Guid, (string, long)>();
        await using (var command = Prepare(connection, transaction, "SELECT stream_id, version FROM events WHERE event_id = @id"))
        {
            var id = command.Parameters.Add("@id", SqliteType.Text);
            foreach (var eventId in eventIds)
            {
                id.Value = eventId.ToString("D");
                await using var reader = await command.RunReaderAsync(cancellationToken);
                if (await reader.NextRowAsync(cancellationToken))
                    stored[eventId] = (reader.GetString(0), reader.GetInt64(1));
            }
        }
        return new KnownState(heads, stored);
    }

    protected override async Task<IReadOnlyList<StoredEvent>> WriteAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<EventRow> rows, IReadOnlyCollection<StreamHead> heads, CancellationToken cancellationToken)
    {
        var stored = new List<StoredEvent>(rows.Count);
        await using (var insert = Prepare(connection, transaction,
            "INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at, hash) "
            + "VALUES (@event_id, @stream_id, @version, @type, @data, @metadata, @recorded_at, @hash) RETURNING position"))
        {
            var eventId = insert.Parameters.Add("@event_id", SqliteType.Text);
            var streamId = insert.Parameters.Add("@stream_id", SqliteType.Text);
            var version = insert.Parameters.Add("@version", SqliteType.Integer);
            var type = insert.Parameters.Add("@type", SqliteType.Text);
            var data = insert.Parameters.Add("@data", SqliteType.Text);
            var metadata = insert.Parameters.Add("@metadata", SqliteType.Text);
            var recordedAt = insert.Parameters.Add("@recorded_at", SqliteType.Integer);
            var hash = insert.Parameters.Add("@hash", SqliteType.Blob);
            foreach (var (e, rowHash) in rows)
            {
                eventId.Value = e.EventId.ToString("D");
                streamId.Value = e.StreamId;
                version.Value = e.Version;
                type.Value = e.Type;
                data.Value = e.Data;
                metadata.Value = e.Metadata;
                recordedAt.Value = EventHashChain.ToUnixMicroseconds(e.RecordedAt);
                hash.Value = rowHash;
                var position = (long)(await insert.RunScalarAsync(cancellationToken))!;
                stored.Add(e with { Position = position });
            }
        }
        await using (var upsert = Prepare(connection, transaction,
            "INSERT INTO streams (stream_id, version, head_hash, snapshot_version) VALUES (@id, @version, @hash, @snapshot) "
            + "ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, head_hash = excluded.head_hash, snapshot_version = excluded.snapshot_version"))
        {
            var id = upsert.Parameters.Add("@id", SqliteType.Text);
            var version = upsert.Parameters.Add("@version", SqliteType.Integer);
            var hash = upsert.Parameters.Add("@hash", SqliteType.Blob);
            var snapshot = upsert.Parameters.Add("@snapshot", SqliteType.Integer);
            foreach (var head in heads)
            {
                id.Value = head.StreamId;
                version.Value = head.Version;
                hash.Value = head.HeadHash;
                snapshot.Value = (object?)head.SnapshotVersion ?? DBNull.Value;
                await upsert.RunNonQueryAsync(cancellationToken);
            }
        }
        return stored;
    }

    protected override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    protected override StoredEvent ReadEvent(DbDataReader reader) => new(
        reader.GetInt64(0),
        Guid.Parse(reader.GetString(1)),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        EventHashChain.FromUnixMicroseconds(reader.GetInt64(7)));

    protected override object ToDbTime(DateTimeOffset time) => EventHashChain.ToUnixMicroseconds(time);

    /// <summary>The reader threads keep their connections: one prepared statement per connection and text (SQLite parses each only once).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> prepared = [];

    protected override DbCommand PreparedRead(DbConnection connection, string sql)
    {
        var commands = prepared.GetValue(connection, _ => new Dictionary<string, DbCommand>(StringComparer.Ordinal));
        if (!commands.TryGetValue(sql, out var command))
        {
            commands[sql] = command = connection.CreateCommand();
            command.CommandText = sql;
        }
        command.Parameters.Clear();
        return command;
    }

    protected override void ReleaseRead(DbCommand command)
    {
        // kept for the next read on this connection
    }

    private static SqliteCommand Prepare(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = ((SqliteConnection)connection).CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = sql;
        return command;
    }
}
