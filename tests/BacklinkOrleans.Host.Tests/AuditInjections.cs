using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Testing;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// Violations an audit must catch, injected into a copy of a real run's database: a changed event (by SQL, as someone
/// with write access to the database would), events appended through the store with a valid hash chain that break a
/// rule of the domain, and a changed read-model row.
/// </summary>
internal static class AuditInjections
{
    public static async Task TamperWithAnEventAsync(string database) =>
        await ExecuteAsync(database, "UPDATE events SET data = replace(data, 'old-post', 'old-pots') WHERE type = 'backlink.collected.v1' AND data LIKE '%old-post%'");

    public static async Task ChangeAReportRowAsync(string database) =>
        await ExecuteAsync(database, "UPDATE report_backlinks SET facts = replace(facts, '\"checks\":0', '\"checks\":7') "
            + "WHERE url_hash = (SELECT min(url_hash) FROM report_backlinks)");

    /// <summary>IndexNow "accepts" a URL it accepted minutes ago (a valid event, chained like any other).</summary>
    public static async Task AcceptTwiceAsync(string database)
    {
        var stream = await ScalarAsync(database, "SELECT e.stream_id FROM events e WHERE e.type = 'backlink.submission-attempted.v1' AND e.data LIKE '%\"accepted\":true%' LIMIT 1");
        await AppendAsync(database, stream, ("backlink.submission-attempted.v1", $$"""
            {"eventId":"{{Guid.NewGuid()}}","channel":"indexnow","credentialFingerprint":"key:injected","batchId":null,"status":200,"accepted":true,
             "errorExcerpt":null,"durationMs":1,"at":"{{DateTimeOffset.UtcNow:O}}","outcome":"accepted"}
            """));
    }

    /// <summary>A quota ledger records a request of a million URLs answered: far over IndexNow's 10,000 a day.</summary>
    public static async Task OverspendAQuotaAsync(string database)
    {
        var stream = await ScalarAsync(database, "SELECT stream_id FROM streams WHERE stream_id LIKE 'quota/%/indexnow/%' LIMIT 1");
        var now = DateTimeOffset.UtcNow.ToString("O");
        await AppendAsync(database, stream,
            ("quota.reserved.v1", $$"""
                {"eventId":"{{Guid.NewGuid()}}","batchId":"injected","items":[{"urlHash":"00","url":"https://guest-blog.example/x","firstCheckAfter":"01:00:00"}],
                 "credentialId":"injected","fingerprint":"key:injected","at":"{{now}}"}
                """),
            ("quota.settled.v1", $$"""
                {"eventId":"{{Guid.NewGuid()}}","batchId":"injected","answer":{"status":200,"outcome":"accepted","reason":null,"detail":null,"durationMs":1,
                 "holdUntil":null,"unitsUsed":1000000},"pace":{},"at":"{{now}}"}
                """));
    }

    /// <summary>
    /// The same second acceptance, appended by someone who can write to the database but has not the chain key: they
    /// chain it with plain SHA-256, as the log was chained before keyed chains.
    /// </summary>
    public static async Task AcceptTwiceWithoutTheKeyAsync(string database)
    {
        var stream = await ScalarAsync(database, "SELECT e.stream_id FROM events e WHERE e.type = 'backlink.submission-attempted.v1' AND e.data LIKE '%\"accepted\":true%' LIMIT 1");
        await AppendAsync(database, stream, withKey: false, ("backlink.submission-attempted.v1", $$"""
            {"eventId":"{{Guid.NewGuid()}}","channel":"indexnow","credentialFingerprint":"key:injected","batchId":null,"status":200,"accepted":true,
             "errorExcerpt":null,"durationMs":1,"at":"{{DateTimeOffset.UtcNow:O}}","outcome":"accepted"}
            """));
    }

    private static Task AppendAsync(string path, string stream, params (string Type, string Data)[] events) => AppendAsync(path, stream, withKey: true, events);

    /// <summary>Appends through a store; <paramref name="withKey"/>: chained under the Host's chain key (from the test master key), as only its holder can.</summary>
    private static async Task AppendAsync(string path, string stream, bool withKey, params (string Type, string Data)[] events)
    {
        var version = long.Parse(await ScalarAsync(path, $"SELECT version FROM streams WHERE stream_id = '{stream}'"), System.Globalization.CultureInfo.InvariantCulture);
        using var database = new SqliteDatabase(path);
        var options = new EventStoreOptions { ChainKey = withKey ? EventChainKey.FromMasterKey(Convert.FromBase64String(HostProcess.TestMasterKey)) : null };
        await using var store = new SqliteEventStore(database, [], TimeProvider.System, options, NullLogger<SqliteEventStore>.Instance);
        var result = await store.AppendAsync(stream, version,
            [.. events.Select(e => new EventData(Guid.NewGuid(), e.Type, e.Data.ReplaceLineEndings(""), "{}"))]);
        Assert.Equal(AppendStatus.Appended, result.Status);
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(await command.ExecuteNonQueryAsync() >= 1, $"nothing changed by: {sql}");
    }

    private static async Task<string> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"no result of: {sql}");
    }
}
