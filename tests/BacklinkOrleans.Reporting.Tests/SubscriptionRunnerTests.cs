using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Subscriptions;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Reporting.Tests;

/// <summary>The checkpointed subscription: resumes where it stopped, hands a failed batch again, and lets one reader win.</summary>
public sealed class SubscriptionRunnerTests : IAsyncLifetime
{
    private TempFolder folder = null!;
    private SqliteDatabase database = null!;
    private SqliteEventStore store = null!;

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-subscription-");
        database = new SqliteDatabase(Path.Combine(folder.Path, "events.db"));
        await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        await database.WriteAsync("test", async (connection, transaction, ct) =>
        {
            await using var create = connection.Command("CREATE TABLE seen (event_id TEXT NOT NULL)", transaction);
            return await create.ExecuteNonQueryAsync(ct);
        });
        store = new SqliteEventStore(database, [], TimeProvider.System, new EventStoreOptions(), NullLogger<SqliteEventStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        database.Dispose();
        await folder.DisposeAsync();
    }

    /// <summary>Writes one row per event it is handed, in the batch's transaction; can be told to fail.</summary>
    private sealed class RecordingHandler : ISubscriptionHandler
    {
        public bool Fail { get; set; }

        public string Subscription => "test";

        public int Order => 0;

        public async Task HandleAsync(SubscriptionBatch batch, CancellationToken cancellationToken)
        {
            await BulkStatements.InsertAsync(batch.Database.Connection, batch.Database.Transaction, batch.Database.Dialect, "seen", ["event_id"],
                [.. batch.Events.Select(e => new object?[] { e.EventId.ToString() })], "", cancellationToken);
            if (Fail)
                throw new InvalidOperationException("the handler failed");
        }
    }

    private SubscriptionRunner Runner(ISubscriptionHandler handler, int batchSize = 4) =>
        new(store, database, [handler], Array.Empty<IIntegrationEventSource>(), TimeProvider.System,
            Options.Create(new SubscriptionOptions { BatchSize = batchSize, MaxBatchesPerTick = 100 }), NullLogger<SubscriptionRunner>.Instance);

    private async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await store.AppendAsync($"s/{Guid.NewGuid():N}", 0, [new EventData(Guid.NewGuid(), "test.happened.v1", "{}", "{}")]);
    }

    private Task<long> SeenAsync(string sql = "SELECT count(*) FROM seen") =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command(sql);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        });

    [Fact]
    public async Task ARestartedRunner_ResumesAtItsCheckpoint_HandlingEachEventOnce()
    {
        await AppendAsync(10);
        Assert.Equal(10, await Runner(new RecordingHandler()).CatchUpAsync("test", default));
        await AppendAsync(3);
        var restarted = Runner(new RecordingHandler());
        Assert.Equal(3, await restarted.CatchUpAsync("test", default));
        Assert.Equal(0, await restarted.CatchUpAsync("test", default));
        Assert.Equal(13, await SeenAsync());
        Assert.Equal(13, await SeenAsync("SELECT count(DISTINCT event_id) FROM seen"));
        Assert.Equal(13, (await restarted.CheckpointAsync("test", default)).Position);
    }

    [Fact]
    public async Task AFailedBatch_RollsBackWithTheCheckpoint_AndIsHandedAgain()
    {
        await AppendAsync(6);
        var handler = new RecordingHandler();
        var runner = Runner(handler, batchSize: 4);
        Assert.Equal(6, await runner.CatchUpAsync("test", default)); // two batches of at most 4
        await AppendAsync(2);
        handler.Fail = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.CatchUpAsync("test", default));
        Assert.Equal(6, await SeenAsync());
        handler.Fail = false;
        Assert.Equal(2, await runner.CatchUpAsync("test", default));
        Assert.Equal(8, await SeenAsync("SELECT count(DISTINCT event_id) FROM seen"));
        Assert.Equal(8, await SeenAsync());
    }

    [Fact]
    public async Task TwoReaders_OfOneSubscription_NeverHandleAnEventTwice()
    {
        var a = Runner(new RecordingHandler());
        var b = Runner(new RecordingHandler());
        await AppendAsync(5);
        Assert.Equal(5, await a.CatchUpAsync("test", default)); // a now believes the checkpoint is at 5
        await AppendAsync(5);
        Assert.Equal(5, await b.CatchUpAsync("test", default)); // b moves it to 10
        await AppendAsync(5);
        Assert.Equal(0, await a.CatchUpAsync("test", default)); // a's batch from 5 finds the checkpoint moved: rolled back
        Assert.Equal(5, await a.CatchUpAsync("test", default)); // and a continues from 10
        Assert.Equal(15, await SeenAsync());
        Assert.Equal(15, await SeenAsync("SELECT count(DISTINCT event_id) FROM seen"));
    }
}
