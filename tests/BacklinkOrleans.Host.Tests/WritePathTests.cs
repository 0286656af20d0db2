using System.Net.Http.Headers;
using BacklinkOrleans.EndToEndBenchmark;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// The write path's promises (ADR 0015), checked on small runs of the end-to-end benchmark's pipeline: a real Host
/// process, its Sandbox, IndexNow keys on simulated hosts, a CSV through the HTTP API, until every URL is submitted.
/// </summary>
public sealed class WritePathTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ASmallRun_CommitsFewerThanOneWriteTransactionPerBacklink(string store)
    {
        var arguments = new List<string> { "--store", store, "--urls", "2000", "--hosts", "20", "--latency-ms", "0", "--script-urls", "20", "--max-seconds", "240" };
        if (store == "postgres")
            arguments.AddRange(["--postgres", await TestPostgres.ServerConnectionStringAsync()]);

        var run = await PipelineRun.RunAsync(store, 2_000, BenchmarkOptions.Parse([.. arguments]), server: null);

        Assert.True(run.Finished, $"{run.Submitted} of 2,000 submitted: {string.Join(", ", run.Counters)}");
        Assert.Equal(0, run.UrlsAcceptedTwice);
        // Counted by the database itself on PostgreSQL (transaction ids), by the Host's own tally on SQLite: every
        // write, including Orleans' membership and reminder tables, the ledgers and the projections.
        var perBacklink = (double)run.WriteTransactions / run.Urls;
        Assert.True(perBacklink < 1, $"{run.WriteTransactions:N0} write transactions for {run.Urls:N0} backlinks ({run.WriteBreakdown})");
    }

    /// <summary>
    /// Three Hosts on one PostgreSQL that allows 30 connections, each with a budget of 8 (ADR 0015): the work of
    /// 3,000 URLs imported through the three APIs gets done without the server ever refusing a connection.
    /// </summary>
    [Fact]
    public async Task ThreeHosts_OnAServerOfThirtyConnections_WithABudgetOfEightEach_NeverHearTooManyClients()
    {
        await using var server = await ThrowawayPostgres.StartAsync(maxConnections: 30);
        var database = await server.CreateDatabaseAsync("budget");
        await using var temp = TempFolder.Create("backlink-budget-");
        await using var sandbox = await SandboxProcess.StartAsync(temp.Path); // one simulated world for the three Hosts
        // A URL queued in a quota grain activation that is dropped (two for a moment while the cluster forms) is handed
        // over again after AnswerWithin: 30 s here rather than 5 min, so that designed recovery fits the test's time.
        var environment = new Dictionary<string, string>(sandbox.HostEnvironment)
        {
            ["Postgres__MaxConnections"] = "8", ["Submission__IndexNow__AnswerWithin"] = "00:00:30",
        };
        var starting = Enumerable.Range(0, 3)
            .Select(_ => HostProcess.StartAsync(new HostProcess.Settings(temp.Path, database) { Environment = environment })).ToList();
        await using var a = await starting[0];
        await using var b = await starting[1];
        await using var c = await starting[2];
        // Every Host sees the whole cluster before work starts (while views differ, a grain can be activated twice).
        await Task.WhenAll(a.WaitReadyAsync(minimumMembers: 3), b.WaitReadyAsync(minimumMembers: 3), c.WaitReadyAsync(minimumMembers: 3));

        var world = await BenchWorld.CreateAsync(a, hosts: 30, latencyMs: 0, sandbox.Control);
        using var viaB = world.TenantOn(b);
        using var viaC = world.TenantOn(c);
        HttpClient[] apis = [world.Tenant, viaB, viaC];
        await Task.WhenAll(apis.Select(async (api, i) =>
        {
            using var content = new ByteArrayContent(world.Csv(1_000, first: i * 1_000));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await api.PostAsync($"/api/v1/campaigns/{world.CampaignId}/backlinks", content);
            await BenchWorld.EnsureAsync(response, $"import through Host {i}");
        }));

        var deadline = DateTime.UtcNow.AddMinutes(4);
        Dictionary<string, long> counters = [];
        while (DateTime.UtcNow < deadline && (counters = await world.CountersAsync()).GetValueOrDefault("submitted") < 3_000)
            await Task.Delay(500);

        Assert.Equal(0, BenchDatabase.TooManyClients(server.LogFile));
        Assert.All(new[] { a, b, c }, host => Assert.DoesNotContain("too many clients", host.Output, StringComparison.Ordinal));
        Assert.True(counters.GetValueOrDefault("submitted") == 3_000, $"not all submitted: {string.Join(", ", counters)}");
        var engine = await world.IndexNowStatisticsAsync(); // one engine saw the whole cluster's requests
        Assert.Equal(3_000, (int)engine["distinctUrlsAccepted"]!);
        Assert.Equal(0, (int)engine["urlsAcceptedTwiceWithinADay"]!);
    }
}
