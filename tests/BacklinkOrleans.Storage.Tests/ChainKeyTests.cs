using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>
/// Keyed hash chains (ADR 0023): a log records the key of its chains; an unkeyed log is rehashed only when the
/// operator says so, and only if its chains are intact; a store with another key does not start on it.
/// </summary>
public sealed class ChainKeyTests : IAsyncLifetime
{
    private static readonly EventChainKey KeyA = EventChainKey.FromMasterKey(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly EventChainKey KeyB = EventChainKey.FromMasterKey(Enumerable.Repeat((byte)2, 32).ToArray());
    private TempFolder folder = null!;
    private SqliteDatabase database = null!;

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-chainkey-");
        database = new SqliteDatabase(Path.Combine(folder.Path, "events.db"));
        await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        database.Dispose();
        await folder.DisposeAsync();
    }

    private SqliteEventStore Store(EventChainKey? key) =>
        new(database, [], TimeProvider.System, new EventStoreOptions { ChainKey = key }, NullLogger<SqliteEventStore>.Instance);

    private static async Task AppendAsync(IEventStore store, string stream, int count)
    {
        for (var i = 0; i < count; i++)
            Assert.Equal(AppendStatus.Appended, (await store.AppendAsync(stream, i, [new EventData(Guid.NewGuid(), "test.happened.v1", $$"""{"n":{{i}}}""", "{}")])).Status);
    }

    [Fact]
    public async Task AnUnkeyedLog_IsRehashedOnlyWhenTheOperatorSaysSo_ThenVerifiesUnderTheKeyOnly()
    {
        await using (var unkeyed = Store(null))
        {
            await AppendAsync(unkeyed, "s/1", 3);
            await AppendAsync(unkeyed, "s/2", 2);
        }
        await using var keyed = Store(KeyA);

        var refused = await Assert.ThrowsAsync<StartupCheckException>(() => keyed.EnsureChainKeyAsync(keyUnkeyedLog: false, CancellationToken.None));
        Assert.Contains("KeyUnkeyedLog", refused.Message);
        Assert.Contains("5 events", await keyed.EnsureChainKeyAsync(keyUnkeyedLog: true, CancellationToken.None));

        Assert.True((await keyed.VerifyAsync()).IsIntact);
        // Appends go on from the rehashed heads.
        Assert.Equal(AppendStatus.Appended, (await keyed.AppendAsync("s/1", 3, [new EventData(Guid.NewGuid(), "test.happened.v1", "{}", "{}")])).Status);
        Assert.True((await keyed.VerifyAsync()).IsIntact);
        await using var plain = Store(null);
        Assert.Equal(6, (await plain.VerifyAsync()).Violations.Count(v => v.Version is not null)); // plain SHA-256 matches none of them
        await using var other = Store(KeyB);
        Assert.Contains((await other.VerifyAsync()).Violations, v => v.Problem.Contains($"chain key {KeyA.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AKeyedLog_DoesNotStartUnderAnotherKey_AndABrokenChainIsNeverRehashed()
    {
        await using (var keyed = Store(KeyA))
        {
            Assert.Contains("a new event log", await keyed.EnsureChainKeyAsync(false, CancellationToken.None));
            await AppendAsync(keyed, "s/1", 3);
        }
        await using var other = Store(KeyB);
        var mismatch = await Assert.ThrowsAsync<StartupCheckException>(() => other.EnsureChainKeyAsync(false, CancellationToken.None));
        Assert.Contains(KeyA.Id, mismatch.Message);
        Assert.Contains(KeyB.Id, mismatch.Message);

        await using (var connection = await database.OpenAsync())
        await using (var tamper = connection.CreateCommand())
        {
            tamper.CommandText = "UPDATE events SET data = '{\"n\":99}' WHERE stream_id = 's/1' AND version = 2";
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }
        await using var store = Store(KeyA);
        var broken = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            database.WriteAsync("test", (c, t, ct) => store.RekeyAsync(c, t, KeyA, KeyB, ct)));
        Assert.Contains("version 2", broken.Message);
        Assert.Single((await store.VerifyAsync()).Violations); // nothing was rehashed: the tampered row is still the only violation
    }
}
