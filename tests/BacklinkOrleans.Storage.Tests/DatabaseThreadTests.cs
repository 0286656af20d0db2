using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>
/// Where the databases run their work (ADR 0015): the group commit on the writer thread, where driver calls complete
/// without leaving it and its caller continues; a snapshot read beside the writer, never queued behind it.
/// </summary>
public sealed class DatabaseThreadTests
{
    [Fact]
    public async Task Sqlite_ASnapshotRead_RunsWhileTheWriterHoldsItsTransaction_AndSeesOnlyWhatIsCommitted()
    {
        await using var temp = TempFolder.Create("backlink-snapshot-");
        using var database = new SqliteDatabase(Path.Combine(temp.Path, "snapshot.db"));
        await database.WriteAsync("test", async (connection, transaction, ct) =>
        {
            await using var create = connection.Command("CREATE TABLE t (x INTEGER NOT NULL); INSERT INTO t VALUES (1)", transaction);
            return await create.ExecuteNonQueryAsync(ct);
        });
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = database.WriteAsync("test", async (connection, transaction, ct) =>
        {
            await using var insert = connection.Command("INSERT INTO t VALUES (2)", transaction);
            await insert.ExecuteNonQueryAsync(ct);
            writing.Set();
            release.Wait(TimeSpan.FromMinutes(1)); // the writer holds the write lock until the read is done
            return 0;
        });
        Assert.True(writing.Wait(TimeSpan.FromSeconds(30)));

        // Before: the read began with BEGIN IMMEDIATE, waited for the write lock, and failed after 30 s ("database is locked").
        var read = database.ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            await using var count = connection.Command("SELECT count(*) FROM t", transaction);
            return (long)(await count.ExecuteScalarAsync(ct))!;
        });
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20)));
        release.Set();
        await held;

        Assert.Same(read, finished);
        Assert.Equal(1, await read);
    }

    [Fact]
    public async Task Sqlite_TheGroupCommitsCaller_ContinuesOnTheWriterThread()
    {
        await using var temp = TempFolder.Create("backlink-writer-");
        using var database = new SqliteDatabase(Path.Combine(temp.Path, "writer.db"));

        // On the thread pool, as the event store's loop runs (no synchronization context to post the continuation to).
        var (inside, after) = await Task.Run(async () =>
        {
            var inside = await database.WriteOnWriterThreadAsync("test", (_, _, _) =>
                Task.FromResult((Thread.CurrentThread.Name, DbCalls.OnDatabaseThread)));
            return (inside, Thread.CurrentThread.Name);
        });

        Assert.Equal(("SQLite writer", true), inside);
        Assert.Equal("SQLite writer", after);
    }

    [Fact]
    public async Task Postgres_TheGroupCommitRunsOnItsWriterThread_AndAConnectionThatBrokeIsReplaced()
    {
        await using var database = new PostgresDatabase(await TestPostgres.CreateDatabaseAsync("writer"));
        await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        Task<(int Pid, string? Thread, bool Sync)> BackendAsync() => database.WriteOnWriterThreadAsync("test", async (connection, transaction, ct) =>
        {
            await using var pid = connection.Command("SELECT pg_backend_pid()", transaction);
            return ((int)(await pid.RunScalarAsync(ct))!, Thread.CurrentThread.Name, DbCalls.OnDatabaseThread);
        });

        var (first, continuedOn) = await Task.Run(async () => (await BackendAsync(), Thread.CurrentThread.Name));
        Assert.Equal(("PostgreSQL event-store writer", true), (first.Thread, first.Sync));
        Assert.Equal("PostgreSQL event-store writer", continuedOn);
        Assert.Equal(first.Pid, (await BackendAsync()).Pid); // one connection, held

        // The server ends the writer's session (as a restart would): the next commit fails, the one after opens another.
        await using (var admin = database.DataSource.CreateCommand($"SELECT pg_terminate_backend({first.Pid})"))
            await admin.ExecuteNonQueryAsync();
        await WaitUntilGoneAsync(database.DataSource, first.Pid);
        await Assert.ThrowsAnyAsync<Exception>(BackendAsync);
        var replaced = await BackendAsync();

        Assert.NotEqual(first.Pid, replaced.Pid);

        // The Host's container disposes the database once per service type it is registered as (a second disposal had
        // thrown, and the Host ended with SIGABRT at every stop on the cluster profile).
        await database.DisposeAsync();
        await database.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(BackendAsync);
    }

    private static async Task WaitUntilGoneAsync(NpgsqlDataSource dataSource, int pid)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var command = dataSource.CreateCommand($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}");
            if ((long)(await command.ExecuteScalarAsync())! == 0)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"backend {pid} still there after 30 s");
    }
}
