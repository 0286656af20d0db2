using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.EndToEndBenchmark;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// Losing a process of the cluster loses nothing, sends nothing twice and overspends nothing — with real processes:
/// one PostgreSQL, three Hosts on loopback ports, and one Sandbox process that all of them use (one simulated world,
/// one request log, one set of engine ledgers), as docker-compose runs them.
/// </summary>
public sealed class KillTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Urls = 5_000;
    private const int Sites = 50;
    private const int DailyLimit = 80; // per IndexNow key: 50 keys × 80 = 4,000 of the 5,000 URLs today, the rest wait
    private const int HoldAfter = 1_500; // accepted URLs before the engine holds a request in flight

    [Fact]
    public async Task ThreeHosts_OneKilledWhileItsSubmissionIsInFlight_LoseNothing_SendNothingTwice_OverspendNothing()
    {
        var postgres = await TestPostgres.CreateDatabaseAsync("kill");
        await using var temp = TempFolder.Create("backlink-kill-");
        await using var sandbox = await SandboxProcess.StartAsync(temp.Path);
        var environment = new Dictionary<string, string>(sandbox.HostEnvironment)
        {
            ["Submission__IndexNow__DailyLimit"] = DailyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Work queued in a quota grain of the killed Host is handed over again after AnswerWithin: 30 s, not 5 min.
            ["Submission__IndexNow__AnswerWithin"] = "00:00:30",
        };
        var starting = Enumerable.Range(0, 3)
            .Select(_ => HostProcess.StartAsync(new HostProcess.Settings(temp.Path, postgres) { Environment = environment })).ToList();
        await using var a = await starting[0];
        await using var b = await starting[1];
        await using var c = await starting[2];
        HostProcess[] hosts = [a, b, c];
        await Task.WhenAll(hosts.Select(h => h.WaitReadyAsync(minimumMembers: 3)));

        var world = await BenchWorld.CreateAsync(a, Sites, latencyMs: 0, sandbox.Control);
        using (var engine = await sandbox.Control.PutAsJsonAsync("/sandbox/engines/indexnow", new { dailyLimitPerKey = DailyLimit, holdAfterUrls = HoldAfter }))
            await BenchWorld.EnsureAsync(engine, "set the engine's daily limit and hold");
        var apis = hosts.Select(world.TenantOn).ToList();
        var imports = Enumerable.Range(0, 3).Select(i => ImportAsync(apis[i], world, i)).ToList();

        // The fixed point: a request the engine took is held unanswered; kill -9 the Host that sent it.
        var held = await WaitForAsync(async () => (await sandbox.Control.GetFromJsonAsync<JsonArray>("/sandbox/engines/indexnow/held"))!,
            h => h.Count > 0, TimeSpan.FromMinutes(3), "a held IndexNow request");
        var sender = (string?)held[0]!["client"] ?? throw new InvalidOperationException("The held request names no client.");
        var victim = hosts.Single(h => h.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) == sender);
        await victim.KillAsync();
        using (var released = await sandbox.Control.PostAsync("/sandbox/engines/indexnow/release", null))
            await BenchWorld.EnsureAsync(released, "release the held requests");
        var survivors = hosts.Where(h => h != victim).ToList();
        var api = world.TenantOn(survivors[0]);

        // An import cut off by the kill is sent again through a surviving Host, as its user would (rows are deduplicated).
        // While the survivors have not yet declared the victim dead, an answer may be 503 (try again in a few seconds).
        for (var i = 0; i < imports.Count; i++)
        {
            for (var attempt = 1; !await imports[i]; attempt++)
            {
                Assert.True(attempt <= 12, $"the import of part {i} kept failing through a surviving Host");
                await Task.Delay(5_000);
                imports[i] = ImportAsync(api, world, i);
            }
        }

        // Quiescence, bounded: nothing collected, and the counters unchanged for 20 s.
        Dictionary<string, long> counters;
        try
        {
            counters = await QuiesceAsync(world, api, Urls, TimeSpan.FromMinutes(5));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\n--- a surviving Host's log ---\n{Tail(survivors[0].Output)}", e);
        }
        var report = $"counters {string.Join(", ", counters.Select(c => $"{c.Key}={c.Value}"))}";
        Assert.Equal(Urls, counters.Values.Sum()); // nothing lost
        Assert.Equal(0, counters.GetValueOrDefault("collected"));
        Assert.DoesNotContain(counters.Keys, k => k.StartsWith("failed", StringComparison.Ordinal));

        // Every backlink not submitted waits with a visible reason and an end.
        foreach (var state in new[] { "collected", "validated" })
        {
            for (var page = 1; ; page++)
            {
                var items = (await api.GetFromJsonAsync<JsonNode>($"/api/v1/campaigns/{world.CampaignId}/backlinks?state={state}&page={page}&pageSize=500"))!["items"]!.AsArray();
                Assert.All(items, item => Assert.True(item!["waitingFor"] is JsonValue && item["nextActionAt"] is JsonValue,
                    $"{item!["url"]} is {state} with no reason to wait or no end: {item.ToJsonString()}"));
                if (items.Count < 500)
                    break;
            }
        }

        var engineStats = (await sandbox.Control.GetFromJsonAsync<JsonNode>("/sandbox/engines/indexnow"))!;
        var statsText = $"{report}; engine {engineStats.ToJsonString()}";
        if ((int)engineStats["urlsAcceptedTwiceWithinADay"]! > 0)
            Assert.Fail($"sent twice: {statsText}\n{await WhySentTwiceAsync(sandbox, api, victim.ProcessId)}");
        Assert.True((int)engineStats["urlsRefusedOverDailyLimit"]! == 0, $"over a key's daily limit: {statsText}");
        Assert.True((int)engineStats["mostAcceptedForOneKeyInADay"]! <= DailyLimit, statsText);
        output.WriteLine($"killed Host {sender} while {held.Count} request(s) were held; {statsText}");
        var submitted = counters.GetValueOrDefault("submitted");
        var accepted = (int)engineStats["distinctUrlsAccepted"]!;
        Assert.True(submitted <= accepted, $"submitted URLs the engine never accepted: {statsText}");
        Assert.True(accepted <= Sites * DailyLimit, statsText);

        // Counters, submissions, quota windows and reports equal a replay of the log.
        using var audit = await survivors[0].Operator.PostAsJsonAsync("/api/v1/audit/verify", new { });
        var answer = (await audit.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.True((bool)answer["clean"]!, answer.ToJsonString());
        Assert.Contains(answer["checks"]!.AsArray(), check => (string)check!["check"]! == "campaign-counters");
    }

    /// <summary>The URLs the engine took twice, with both requests, and the first one's history as a survivor replays it.</summary>
    private static async Task<string> WhySentTwiceAsync(SandboxProcess sandbox, HttpClient api, int victim)
    {
        var repeats = (await sandbox.Control.GetFromJsonAsync<JsonArray>("/sandbox/engines/indexnow/twice"))!;
        var text = new System.Text.StringBuilder($"killed Host: {victim}; taken twice: {repeats.ToJsonString()}");
        if (repeats.FirstOrDefault() is { } first)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes((string)first["url"]!)));
            using var events = await api.GetAsync($"/api/v1/backlinks/{hash}/events");
            text.Append($"\n{first["url"]} history ({(int)events.StatusCode}): {await events.Content.ReadAsStringAsync()}");
        }
        return text.ToString();
    }

    /// <summary>
    /// The embedded profile: kill -9 in the middle of an import, start again on the same folder, send the same file
    /// again (as its user would, the first answer never came): every row finishes once, and the counters equal a replay.
    /// </summary>
    [Fact]
    public async Task Embedded_KilledMidImport_AndRestarted_FinishesEveryRowOnce_WithCountersEqualToHistory()
    {
        const int rows = 20_000;
        await using var temp = TempFolder.Create("backlink-kill-embedded-");
        await using var sandbox = await SandboxProcess.StartAsync(temp.Path); // the world outlives the Host
        // URLs queued in a quota grain when the Host died are looked at again after AnswerWithin: 30 s here, not 5 min.
        var settings = new HostProcess.Settings(temp.Path, null)
        {
            Environment = new Dictionary<string, string>(sandbox.HostEnvironment) { ["Submission__IndexNow__AnswerWithin"] = "00:00:30" },
        };
        var host = await HostProcess.StartAsync(settings);
        BenchWorld world;
        int countedAtKill;
        try
        {
            world = await BenchWorld.CreateAsync(host, hosts: 20, latencyMs: 0, sandbox.Control);
            var csv = world.Csv(rows);
            var import = PostCsvAsync(world.Tenant, world.CampaignId, csv);
            var counted = await WaitForAsync(async () => (await world.CountersAsync()).Values.Sum(), n => n >= rows / 4 || import.IsCompleted,
                TimeSpan.FromMinutes(2), "a quarter of the rows collected");
            Assert.False(import.IsCompleted, $"the import finished before the kill ({counted} rows counted): no kill mid-import");
            await host.KillAsync();
            countedAtKill = (int)counted;
            Assert.False(await import, "the import answered although its Host was killed");
        }
        finally
        {
            await host.DisposeAsync();
        }

        await using var restarted = await HostProcess.StartAsync(settings);
        using var api = world.TenantOn(restarted);
        Assert.True(await PostCsvAsync(api, world.CampaignId, world.Csv(rows)), "the import sent again after the restart failed");
        var counters = await WaitForAsync(() => world.CountersAsync(api), c => c.GetValueOrDefault("submitted") == rows, TimeSpan.FromMinutes(5),
            "every row submitted", c => string.Join(", ", c));
        var engine = (await sandbox.Control.GetFromJsonAsync<JsonNode>("/sandbox/engines/indexnow"))!;
        output.WriteLine($"killed at {countedAtKill:N0} of {rows:N0} rows counted; after the restart: {string.Join(", ", counters)}; engine {engine.ToJsonString()}");
        Assert.Equal(rows, counters.GetValueOrDefault("submitted"));
        Assert.Equal(0, (int)engine["urlsAcceptedTwiceWithinADay"]!);
        Assert.Equal(rows, (int)engine["distinctUrlsAccepted"]!);

        using var audit = await restarted.Operator.PostAsJsonAsync("/api/v1/audit/verify", new { });
        var answer = (await audit.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.True((bool)answer["clean"]!, answer.ToJsonString());
    }

    private static async Task<bool> PostCsvAsync(HttpClient api, string campaignId, byte[] csv)
    {
        try
        {
            using var content = new ByteArrayContent(csv);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await api.PostAsync($"/api/v1/campaigns/{campaignId}/backlinks", content);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // the Host went away mid-request
        }
    }

    private static string Tail(string log) => log.Length > 20_000 ? log[^20_000..] : log;

    private static Task<bool> ImportAsync(HttpClient api, BenchWorld world, int part)
    {
        var size = Urls / 3 + (part < Urls % 3 ? 1 : 0);
        var first = part * (Urls / 3) + Math.Min(part, Urls % 3);
        return PostCsvAsync(api, world.CampaignId, world.Csv(size, first));
    }

    private static async Task<Dictionary<string, long>> QuiesceAsync(BenchWorld world, HttpClient api, int urls, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = new Dictionary<string, long>();
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(2_000);
            Dictionary<string, long> now;
            try
            {
                now = await world.CountersAsync(api);
            }
            catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                continue; // the cluster is busy moving the victim's grains: asked to try again
            }
            if (!now.OrderBy(c => c.Key).SequenceEqual(last.OrderBy(c => c.Key)))
                (last, stableSince) = (now, DateTime.UtcNow);
            else if (now.GetValueOrDefault("collected") == 0 && now.Values.Sum() == urls && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(20))
                return now;
        }
        throw new TimeoutException($"No quiescence within {limit}: {string.Join(", ", last.Select(c => $"{c.Key}={c.Value}"))}");
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan limit, string what, Func<T, string>? describe = null)
    {
        using var patience = new CancellationTokenSource(limit);
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (patience.IsCancellationRequested)
                throw new TimeoutException($"No {what} within {limit}{(describe is null ? "" : ": " + describe(value))}.");
            await Task.Delay(200);
        }
    }
}
