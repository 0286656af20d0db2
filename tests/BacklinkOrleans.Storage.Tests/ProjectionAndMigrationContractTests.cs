using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>Counts events per type in a table; refuses "test.poison.v1" to prove the rollback.</summary>
internal sealed class CountingProjection : IInlineProjection
{
    public const string Table = "CREATE TABLE test_counts (type TEXT PRIMARY KEY, n BIGINT NOT NULL)";

    public async Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Events.Any(e => e.Type == "test.poison.v1"))
            throw new InvalidOperationException("poisoned event");
        foreach (var group in batch.Events.GroupBy(e => e.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await using var command = batch.Connection.CreateCommand();
            command.Transaction = batch.Transaction;
            command.CommandText = "INSERT INTO test_counts (type, n) VALUES (@type, @n) "
                + "ON CONFLICT (type) DO UPDATE SET n = test_counts.n + excluded.n";
            var type = command.CreateParameter();
            type.ParameterName = "type";
            type.Value = group.Key;
            var n = command.CreateParameter();
            n.ParameterName = "n";
            n.Value = (long)group.Count();
            command.Parameters.Add(type);
            command.Parameters.Add(n);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

public abstract class ProjectionContractTests
{
    protected abstract SqlDialect Dialect { get; }

    [Fact]
    public async Task InlineProjection_CommitsWithTheEvents_AndAFailingOneRollsBackOnlyItsAppend()
    {
        await using var s = await StoreUnderTest.CreateAsync(Dialect, new CountingProjection());
        await s.ExecuteAsync(CountingProjection.Table);

        var good = Enumerable.Range(0, 300).Select(i => s.Store.AppendAsync($"p/{i}", 0, [Events.New("test.counted.v1", i)])).ToList();
        var poisoned = s.Store.AppendAsync("p/poison", 0, [Events.New("test.poison.v1")]);
        good.AddRange(Enumerable.Range(300, 300).Select(i => s.Store.AppendAsync($"p/{i}", 0, [Events.New("test.counted.v1", i)])));

        await Task.WhenAll(good);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => poisoned);
        Assert.Equal("poisoned event", failure.Message);
        Assert.Equal(600, await s.ScalarAsync("SELECT n FROM test_counts WHERE type = 'test.counted.v1'"));
        Assert.Equal(0, await s.ScalarAsync("SELECT count(*) FROM test_counts WHERE type = 'test.poison.v1'"));
        Assert.Empty(await s.Store.ReadStreamAsync("p/poison"));
        Assert.Equal(600, await s.ScalarAsync("SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Projection_SeesThePositionsTheEventsAreStoredAt()
    {
        var seen = new RecordingProjection();
        await using var s = await StoreUnderTest.CreateAsync(Dialect, seen);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => s.Store.AppendAsync($"pos/{i}", 0, Events.Many(2))));

        var stored = await s.Store.ReadAllAsync(0, 1000);
        Assert.Equal(stored.Select(e => (e.Position, e.EventId)).Order(), seen.Events.Select(e => (e.Position, e.EventId)).Order());
    }

    private sealed class RecordingProjection : IInlineProjection
    {
        public List<StoredEvent> Events { get; } = [];

        public Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
        {
            lock (Events)
                Events.AddRange(batch.Events);
            return Task.CompletedTask;
        }
    }
}

public sealed class SqliteProjectionTests : ProjectionContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresProjectionTests : ProjectionContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}

public sealed class MigrationTests
{
    [Fact]
    public async Task Sqlite_AppliesEachMigrationOnce()
    {
        await using var temp = TempFolder.Create("backlink-migrate-");
        var folder = temp.Path;
        var database = new SqliteDatabase(Path.Combine(folder, "m.db"));
        var first = await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        var second = await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        Assert.Equal(database.CreateMigrationRunner(NullLogger.Instance).Migrations.Select(m => m.Version), first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task Postgres_ConcurrentMigrators_ApplyEachMigrationExactlyOnce()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate");
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(connectionString)).ToList();
        try
        {
            var applied = await Task.WhenAll(databases.Select(d => d.CreateMigrationRunner(NullLogger.Instance).MigrateAsync()));

            var all = applied.SelectMany(a => a).ToList();
            Assert.Equal(all.Distinct().Count(), all.Count);
            Assert.Equal(databases[0].CreateMigrationRunner(NullLogger.Instance).Migrations.Select(m => m.Version), all.Order());
        }
        finally
        {
            foreach (var d in databases)
                await d.DisposeAsync();
        }
    }
}
