using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>Tampering with stored rows is detected by recomputing the per-stream hash chains.</summary>
public abstract class HashChainContractTests
{
    protected abstract SqlDialect Dialect { get; }

    private async Task<StoreUnderTest> StoreWithHistory()
    {
        var s = await StoreUnderTest.CreateAsync(Dialect);
        await s.Store.AppendAsync("audited", 0, Events.Many(3));
        await s.Store.AppendAsync("audited", 3, Events.Many(2, start: 3));
        await s.Store.AppendAsync("bystander", 0, Events.Many(2));
        return s;
    }

    [Fact]
    public async Task AnUntouchedLog_IsIntact()
    {
        await using var s = await StoreWithHistory();
        var report = await s.Store.VerifyAsync();
        Assert.True(report.IsIntact, string.Join("; ", report.Violations));
        Assert.Equal(2, report.StreamsChecked);
        Assert.Equal(7, report.EventsChecked);
    }

    [Fact]
    public async Task AModifiedPayload_IsDetectedAtThatVersion()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync("""UPDATE events SET data = '{"n":99}' WHERE stream_id = 'audited' AND version = 2""");

        var report = await s.Store.VerifyAsync();

        var violation = Assert.Single(report.Violations);
        Assert.Equal(("audited", 2L), (violation.StreamId, violation.Version!.Value));
        Assert.True((await s.Store.VerifyAsync("bystander")).IsIntact);
    }

    [Fact]
    public async Task AModifiedTimestampOrType_IsDetected()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync("UPDATE events SET type = 'test.other.v1' WHERE stream_id = 'audited' AND version = 4");
        var report = await s.Store.VerifyAsync("audited");
        Assert.Contains(report.Violations, v => v.Version == 4);
    }

    [Fact]
    public async Task ADeletedEventInTheMiddle_IsDetected()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync("DELETE FROM events WHERE stream_id = 'audited' AND version = 3");

        var report = await s.Store.VerifyAsync();

        Assert.Contains(report.Violations, v => v.StreamId == "audited" && v.Version == 4 && v.Problem.Contains("deleted"));
        Assert.DoesNotContain(report.Violations, v => v.StreamId == "bystander");
    }

    [Fact]
    public async Task ADeletedLastEvent_IsDetectedByTheHead()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync("DELETE FROM events WHERE stream_id = 'audited' AND version = 5");
        var report = await s.Store.VerifyAsync("audited");
        Assert.Contains(report.Violations, v => v.Problem.Contains("head records version 5"));
    }

    [Fact]
    public async Task AWholeStreamDeleted_IsDetectedByItsHead()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync("DELETE FROM events WHERE stream_id = 'bystander'");
        var report = await s.Store.VerifyAsync();
        Assert.Contains(report.Violations, v => v.StreamId == "bystander" && v.Problem.Contains("no events"));
    }

    [Fact]
    public async Task AnInsertedEvent_IsDetected()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync($"""
            INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at, hash)
            SELECT {s.NewEventIdSql}, stream_id, 6, type, data, metadata, recorded_at, hash
            FROM events WHERE stream_id = 'audited' AND version = 5
            """);

        var report = await s.Store.VerifyAsync("audited");

        Assert.Contains(report.Violations, v => v.Version == 6);
    }

    [Fact]
    public async Task AForgedStream_WithoutAHead_IsDetected()
    {
        await using var s = await StoreWithHistory();
        await s.ExecuteAsync($"""
            INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at, hash)
            SELECT {s.NewEventIdSql}, 'forged', 1, type, data, metadata, recorded_at, hash
            FROM events WHERE stream_id = 'audited' AND version = 1
            """);
        var report = await s.Store.VerifyAsync();
        Assert.Contains(report.Violations, v => v.StreamId == "forged");
    }
}

public sealed class SqliteHashChainTests : HashChainContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresHashChainTests : HashChainContractTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}
