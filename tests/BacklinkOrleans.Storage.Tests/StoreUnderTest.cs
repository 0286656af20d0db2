using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>A migrated, empty store of one dialect, with raw SQL access for tampering and projection tables.</summary>
public abstract class StoreUnderTest : IAsyncDisposable
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    public GroupCommitEventStore Store { get; protected set; } = null!;

    /// <summary>SQL that yields a fresh event id in this dialect.</summary>
    public abstract string NewEventIdSql { get; }

    public abstract Task ExecuteAsync(string sql);

    public abstract Task<long> ScalarAsync(string sql);

    /// <summary>
    /// PostgreSQL: inserts an event in a transaction left open (it takes the next position) and returns what commits it;
    /// SQLite, whose one writer commits in position order, has no such state: null.
    /// </summary>
    public virtual Task<Func<Task>?> InsertUncommittedAsync(string streamId) => Task.FromResult<Func<Task>?>(null);

    public virtual async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public static async Task<StoreUnderTest> CreateAsync(SqlDialect dialect, params IInlineProjection[] projections) =>
        dialect == SqlDialect.Sqlite ? await SqliteStore.CreateAsync(projections) : await PostgresStore.CreateAsync(projections);

    private sealed class SqliteStore : StoreUnderTest
    {
        private SqliteDatabase database = null!;
        private TempFolder folder = null!;

        public static async Task<StoreUnderTest> CreateAsync(IInlineProjection[] projections)
        {
            var folder = TempFolder.Create("backlink-sqlite-");
            var database = new SqliteDatabase(Path.Combine(folder.Path, "events.db"));
            await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
            var result = new SqliteStore { database = database, folder = folder };
            result.Store = new SqliteEventStore(database, projections, result.Time, new EventStoreOptions(), NullLogger<SqliteEventStore>.Instance);
            return result;
        }

        public override string NewEventIdSql => "lower(hex(randomblob(16)))";

        public override async Task ExecuteAsync(string sql)
        {
            await using var connection = await database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        public override async Task<long> ScalarAsync(string sql)
        {
            await using var connection = await database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await folder.DisposeAsync();
        }
    }

    private sealed class PostgresStore : StoreUnderTest
    {
        private PostgresDatabase database = null!;

        public static async Task<StoreUnderTest> CreateAsync(IInlineProjection[] projections)
        {
            var database = new PostgresDatabase(await TestPostgres.CreateDatabaseAsync("events"));
            await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
            var result = new PostgresStore { database = database };
            result.Store = new PostgresEventStore(database, projections, result.Time, new EventStoreOptions(), NullLogger<PostgresEventStore>.Instance);
            return result;
        }

        public override string NewEventIdSql => "gen_random_uuid()";

        public override async Task<Func<Task>?> InsertUncommittedAsync(string streamId)
        {
            var connection = await database.DataSource.OpenConnectionAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new NpgsqlCommand("INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at, hash) "
                + "VALUES (gen_random_uuid(), @stream, 1, 'test.slow.v1', '{}', '{}', now(), '\\x00')", connection, transaction))
            {
                insert.Parameters.AddWithValue("stream", streamId);
                await insert.ExecuteNonQueryAsync();
            }
            return async () =>
            {
                await transaction.CommitAsync();
                await connection.DisposeAsync();
            };
        }

        public override async Task ExecuteAsync(string sql)
        {
            await using var command = database.DataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        public override async Task<long> ScalarAsync(string sql)
        {
            await using var command = database.DataSource.CreateCommand(sql);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}

internal static class Events
{
    public static EventData New(string type = "test.happened.v1", int n = 0) =>
        new(Guid.NewGuid(), type, $$"""{"n":{{n}}}""", "{}");

    public static EventData[] Many(int count, int start = 0) =>
        Enumerable.Range(start, count).Select(i => New(n: i)).ToArray();
}
