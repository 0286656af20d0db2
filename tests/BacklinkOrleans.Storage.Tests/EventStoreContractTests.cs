using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>The behaviour every event store must have; run once per database.</summary>
public abstract class EventStoreContractTests
{
    protected abstract SqlDialect Dialect { get; }

    private Task<StoreUnderTest> NewStore(params IInlineProjection[] projections) => StoreUnderTest.CreateAsync(Dialect, projections);

    [Fact]
    public async Task Append_ToNewStream_NumbersVersionsFromOne_AndReadsBackInOrder()
    {
        await using var s = await NewStore();
        var events = Events.Many(3);

        var result = await s.Store.AppendAsync("acme/stream-a", 0, events);

        Assert.Equal(new AppendResult(AppendStatus.Appended, 3), result);
        var read = await s.Store.ReadStreamAsync("acme/stream-a");
        Assert.Equal([1L, 2L, 3L], read.Select(e => e.Version));
        Assert.Equal(events.Select(e => e.EventId), read.Select(e => e.EventId));
        Assert.Equal(events.Select(e => e.Data), read.Select(e => e.Data));
        Assert.All(read, e => Assert.Equal(s.Time.GetUtcNow(), e.RecordedAt));
    }

    [Fact]
    public async Task SixteenConcurrentWriters_OnOneStream_OneWinsEachRound_EveryLoserGetsAConflict()
    {
        await using var s = await NewStore();
        const int writers = 16, rounds = 8;
        for (var round = 0; round < rounds; round++)
        {
            var expected = (long)round;
            using var start = new Barrier(writers);
            var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            {
                start.SignalAndWait();
                return s.Store.AppendAsync("race", expected, [Events.New(n: w)]);
            })));

            Assert.Single(results, r => r.Status == AppendStatus.Appended && r.StreamVersion == expected + 1);
            Assert.Equal(writers - 1, results.Count(r => r.Status == AppendStatus.Conflict));
            Assert.All(results.Where(r => r.Status == AppendStatus.Conflict), r => Assert.Contains("expected", r.Detail));
        }
        var stored = await s.Store.ReadStreamAsync("race");
        Assert.Equal(Enumerable.Range(1, rounds).Select(v => (long)v), stored.Select(e => e.Version));
    }

    [Fact]
    public async Task ConcurrentWritersRetryingOnConflict_LeaveAGaplessStream()
    {
        await using var s = await NewStore();
        const int writers = 16, perWriter = 5;
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter;)
            {
                var version = (await s.Store.ReadStreamAsync("hot")).Count;
                var result = await s.Store.AppendAsync("hot", version, [Events.New(n: w * 100 + i)]);
                if (result.Status == AppendStatus.Appended)
                    i++;
                else
                    Interlocked.Increment(ref conflicts);
            }
        })));

        var stored = await s.Store.ReadStreamAsync("hot");
        Assert.Equal(Enumerable.Range(1, writers * perWriter).Select(v => (long)v), stored.Select(e => e.Version));
        Assert.Equal(writers * perWriter, stored.Select(e => e.EventId).Distinct().Count());
        Assert.True(conflicts > 0, "16 racing writers should have collided at least once");
    }

    [Fact]
    public async Task ReAppendingTheSameEventIds_StoresThemOnce()
    {
        await using var s = await NewStore();
        var events = Events.Many(2);
        await s.Store.AppendAsync("idem", 0, events);

        var retry = await s.Store.AppendAsync("idem", 0, events);
        var concurrentRetries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => s.Store.AppendAsync("idem", 0, events)));

        Assert.Equal(new AppendResult(AppendStatus.AlreadyAppended, 2), retry);
        Assert.All(concurrentRetries, r => Assert.Equal(AppendStatus.AlreadyAppended, r.Status));
        Assert.Equal(2, (await s.Store.ReadStreamAsync("idem")).Count);
        Assert.Equal(2, await s.ScalarAsync("SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task SameEventIdsFiredTogether_AreStoredOnce()
    {
        await using var s = await NewStore();
        var events = Events.Many(3);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => s.Store.AppendAsync("twins", 0, events)));

        Assert.Single(results, r => r.Status == AppendStatus.Appended);
        Assert.Equal(9, results.Count(r => r.Status == AppendStatus.AlreadyAppended));
        Assert.Equal(3, (await s.Store.ReadStreamAsync("twins")).Count);
    }

    [Fact]
    public async Task AnEventIdStoredInAnotherStream_IsAConflictNamingThatStream()
    {
        await using var s = await NewStore();
        var e = Events.New();
        await s.Store.AppendAsync("first", 0, [e]);

        var result = await s.Store.AppendAsync("second", 0, [e]);

        Assert.Equal(AppendStatus.Conflict, result.Status);
        Assert.Contains("first", result.Detail);
        Assert.Empty(await s.Store.ReadStreamAsync("second"));
    }

    [Fact]
    public async Task TenThousandConcurrentAppends_OverAThousandStreams_AreAllReadableInOrder_InFewTransactions()
    {
        await using var s = await NewStore();
        const int streams = 1_000, perStream = 10;
        await Task.WhenAll(Enumerable.Range(0, streams).Select(stream => Task.Run(async () =>
        {
            for (var v = 0; v < perStream; v++)
            {
                var result = await s.Store.AppendAsync($"bulk/{stream}", v, [Events.New(n: v)]);
                Assert.Equal(AppendStatus.Appended, result.Status);
            }
        })));

        for (var stream = 0; stream < streams; stream++)
        {
            var read = await s.Store.ReadStreamAsync($"bulk/{stream}");
            Assert.Equal(Enumerable.Range(1, perStream).Select(v => (long)v), read.Select(e => e.Version));
            Assert.Equal(Enumerable.Range(0, perStream).Select(v => $$"""{"n":{{v}}}"""), read.Select(e => e.Data));
        }
        var all = await s.Store.ReadAllAsync(0, 20_000);
        Assert.Equal(streams * perStream, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position < p.Second.Position), "the global log is in position order");

        var stats = s.Store.Statistics;
        Assert.Equal(streams * perStream, stats.Appends);
        Assert.True(stats.Transactions * 5 < stats.Appends,
            $"group commit should coalesce: {stats.Transactions} transactions for {stats.Appends} appends");
    }

    [Fact]
    public async Task AConflictInAGroupCommit_FailsOnlyItsOwnAppend()
    {
        await using var s = await NewStore();
        await s.Store.AppendAsync("victim", 0, [Events.New()]);
        var before = s.Store.Statistics.Transactions;

        var appends = Enumerable.Range(0, 200).Select(i => s.Store.AppendAsync($"neighbour/{i}", 0, [Events.New(n: i)])).ToList();
        var stale = s.Store.AppendAsync("victim", 0, [Events.New()]); // stale expected version
        appends.AddRange(Enumerable.Range(200, 200).Select(i => s.Store.AppendAsync($"neighbour/{i}", 0, [Events.New(n: i)])));
        var results = await Task.WhenAll(appends);

        Assert.Equal(AppendStatus.Conflict, (await stale).Status);
        Assert.All(results, r => Assert.Equal(AppendStatus.Appended, r.Status));
        Assert.True(s.Store.Statistics.Transactions - before < 401 / 5, "the appends were group-committed");
        Assert.Single(await s.Store.ReadStreamAsync("victim"));
    }

    [Fact]
    public async Task ReadStream_UpToATime_ReturnsWhatWasRecordedByThen()
    {
        await using var s = await NewStore();
        await s.Store.AppendAsync("timeline", 0, [Events.New(n: 1)]);
        var afterFirst = s.Time.GetUtcNow();
        s.Time.Advance(TimeSpan.FromHours(1));
        await s.Store.AppendAsync("timeline", 1, [Events.New(n: 2)]);
        s.Time.Advance(TimeSpan.FromHours(1));
        await s.Store.AppendAsync("timeline", 2, [Events.New(n: 3)]);

        Assert.Single(await s.Store.ReadStreamAsync("timeline", afterFirst));
        Assert.Equal(2, (await s.Store.ReadStreamAsync("timeline", afterFirst.AddMinutes(90))).Count);
        Assert.Empty(await s.Store.ReadStreamAsync("timeline", afterFirst.AddTicks(-10)));
        Assert.Equal(3, (await s.Store.ReadStreamAsync("timeline")).Count);
    }

    [Fact]
    public async Task ReadAll_PagesByPosition()
    {
        await using var s = await NewStore();
        for (var i = 0; i < 25; i++)
            await s.Store.AppendAsync($"page/{i}", 0, [Events.New(n: i)]);

        var seen = new List<StoredEvent>();
        long after = 0;
        while (true)
        {
            var page = await s.Store.ReadAllAsync(after, 10);
            if (page.Count == 0)
                break;
            seen.AddRange(page);
            after = page[^1].Position;
        }
        Assert.Equal(25, seen.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"page/{i}"), seen.Select(e => e.StreamId));
    }

    [Fact]
    public async Task ReadCommitted_PagesInCommitOrder_AndNeverPassesATransactionStillRunning()
    {
        await using var s = await NewStore();
        for (var i = 0; i < 25; i++)
            await s.Store.AppendAsync($"page/{i}", 0, [Events.New(n: i)]);
        // On PostgreSQL the horizon is the server's oldest running writer, in any database (other tests run beside this
        // one): a reader may have to wait for it, never skip past it.
        var (seen, cursor) = await ReadUntilAsync(s, LogCursor.Start, 25);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"page/{i}"), seen.Select(e => e.StreamId));

        // A transaction that took a position and has not committed holds the reader back, even past later commits.
        var commitSlow = await s.InsertUncommittedAsync("slow/1");
        if (commitSlow is null)
            return; // SQLite: one writer, position order is commit order
        await s.Store.AppendAsync("fast/1", 0, [Events.New(n: 99)]);
        await Task.Delay(200);
        Assert.Empty((await s.Store.ReadCommittedAsync(cursor, 10)).Events);
        await commitSlow();
        var (after, next) = await ReadUntilAsync(s, cursor, 2);
        Assert.Equal(["slow/1", "fast/1"], after.Select(e => e.StreamId));
        Assert.Empty((await s.Store.ReadCommittedAsync(next, 10)).Events);
    }

    /// <summary>Reads pages of the committed log from <paramref name="cursor"/> until <paramref name="count"/> events came (or about 30 s passed).</summary>
    private static async Task<(List<StoredEvent> Seen, LogCursor Cursor)> ReadUntilAsync(StoreUnderTest s, LogCursor cursor, int count)
    {
        var seen = new List<StoredEvent>();
        for (var attempt = 0; seen.Count < count && attempt < 600; attempt++)
        {
            var page = await s.Store.ReadCommittedAsync(cursor, 10);
            seen.AddRange(page.Events);
            cursor = page.Next;
            if (page.Events.Count == 0)
                await Task.Delay(50);
        }
        return (seen, cursor);
    }

    [Fact]
    public async Task ReadCurrent_ManyAtOnce_EachGetsItsOwnStreamFromItsLatestSnapshot()
    {
        await using var s = await NewStore();
        // stream i: i % 4 == 0 absent; 1: three plain events; 2: a snapshot at version 3 then one more; 3: two snapshots
        const int streams = 120;
        for (var i = 0; i < streams; i++)
        {
            EventData[] events = (i % 4) switch
            {
                0 => [],
                1 => Events.Many(3, start: i * 10),
                2 => [.. Events.Many(2, start: i * 10), Events.New(n: i * 10 + 2) with { IsSnapshot = true }, Events.New(n: i * 10 + 3)],
                _ => [Events.New(n: i * 10) with { IsSnapshot = true }, Events.New(n: i * 10 + 1), Events.New(n: i * 10 + 2) with { IsSnapshot = true }],
            };
            if (events.Length > 0)
                Assert.Equal(AppendStatus.Appended, (await s.Store.AppendAsync($"acme/current-{i}", 0, events)).Status);
        }

        // every stream read three times, all at once
        var reads = Enumerable.Range(0, streams * 3).Select(n => n % streams)
            .Select(i => (Stream: i, Read: s.Store.ReadCurrentAsync($"acme/current-{i}"))).ToList();
        await Task.WhenAll(reads.Select(r => r.Read));

        foreach (var (i, read) in reads)
        {
            var events = await read;
            (long[] versions, int[] numbers) = (i % 4) switch
            {
                0 => (System.Array.Empty<long>(), System.Array.Empty<int>()),
                1 => (new[] { 1L, 2L, 3L }, new[] { i * 10, i * 10 + 1, i * 10 + 2 }),
                2 => (new[] { 3L, 4L }, new[] { i * 10 + 2, i * 10 + 3 }),
                _ => (new[] { 3L }, new[] { i * 10 + 2 }),
            };
            Assert.Equal(versions, events.Select(e => e.Version));
            Assert.Equal(numbers.Select(n => $$"""{"n":{{n}}}"""), events.Select(e => e.Data));
            Assert.All(events, e => Assert.Equal($"acme/current-{i}", e.StreamId));
        }
        if (Dialect == SqlDialect.Postgres)
        {
            Assert.Equal(streams * 3, s.Store.Statistics.GroupedReads);
            Assert.True(s.Store.Statistics.LargestReadGroup > 1, "reads queued together shared a statement");
        }
    }

    [Fact]
    public async Task InvalidInput_IsRefusedBeforeAnythingIsQueued()
    {
        await using var s = await NewStore();
        var e = Events.New();
        await Assert.ThrowsAsync<ArgumentException>(() => s.Store.AppendAsync("", 0, [e]));
        await Assert.ThrowsAsync<ArgumentException>(() => s.Store.AppendAsync("s", 0, []));
        await Assert.ThrowsAsync<ArgumentException>(() => s.Store.AppendAsync("s", 0, [e, e]));
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => s.Store.AppendAsync("s", 0, [e with { Data = "{oops" }]));
        Assert.Contains("not valid JSON", bad.Message);
        Assert.Equal(0, await s.ScalarAsync("SELECT count(*) FROM events"));
    }
}

public sealed class SqliteEventStoreTests : EventStoreContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresEventStoreTests : EventStoreContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}
