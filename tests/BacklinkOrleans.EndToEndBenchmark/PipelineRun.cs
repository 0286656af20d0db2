using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>What one run measured.</summary>
internal sealed record PipelineResult(
    string Store,
    int Urls,
    int Hosts,
    TimeSpan ImportRequest,
    TimeSpan AllSubmitted,
    bool Finished,
    long Submitted,
    IReadOnlyDictionary<string, long> Counters,
    double P50Ms,
    double P99Ms,
    long PeakRssBytes,
    long FinalRssBytes,
    long IdleRssBytes,
    long LiveHeapBytes,
    long Events,
    long WriteTransactions,
    string WriteBreakdown,
    int EngineRequests,
    int EngineUrls,
    int UrlsAcceptedTwice,
    double ScriptUrlsPerSecond,
    int TooManyClients,
    string FirstChanceExceptions)
{
    public double ImportRowsPerSecond => Urls / ImportRequest.TotalSeconds;

    public double BacklinksPerSecond => Submitted / AllSubmitted.TotalSeconds;

    public double Ratio => ScriptUrlsPerSecond > 0 ? BacklinksPerSecond / ScriptUrlsPerSecond : 0;

    public string Report() => string.Create(CultureInfo.InvariantCulture, $"""
        {Store} profile, {Urls:N0} URLs on {Hosts:N0} hosts{(Finished ? "" : "  (NOT FINISHED: gave up)")}
          import request            {ImportRequest.TotalSeconds,10:F1} s   {ImportRowsPerSecond,10:N0} rows/s
          import start → submitted  {AllSubmitted.TotalSeconds,10:F1} s   {BacklinksPerSecond,10:N0} backlinks/s   ({Submitted:N0} submitted)
          per backlink              p50 {P50Ms:N0} ms, p99 {P99Ms:N0} ms (collected → submitted)
          memory                    peak RSS {PeakRssBytes / 1048576.0:N0} MB, final {FinalRssBytes / 1048576.0:N0} MB, idle before import {IdleRssBytes / 1048576.0:N0} MB
                                    live heap after a full GC {LiveHeapBytes / 1048576.0:N1} MB = {(double)LiveHeapBytes / Urls:N0} B per backlink; RSS growth {(double)Math.Max(0, PeakRssBytes - IdleRssBytes) / Urls:N0} B per backlink
          storage                   {Events:N0} events = {(double)Events / Urls:F2} per backlink; {WriteTransactions:N0} write transactions = {(double)WriteTransactions / Urls:F3} per backlink ({WriteBreakdown})
          IndexNow                  {EngineRequests:N0} POSTs, {(EngineRequests == 0 ? 0 : (double)EngineUrls / EngineRequests):N0} URLs per POST, {UrlsAcceptedTwice} URLs accepted twice within 24 h
          the field's script        {ScriptUrlsPerSecond,10:N1} URLs/s  → the system is {Ratio:N1}× faster
          PostgreSQL                {TooManyClients} "too many clients" errors
          first-chance exceptions   {FirstChanceExceptions}
          states                    {string.Join(", ", Counters.Select(c => $"{c.Key}={c.Value:N0}"))}
        """);
}

/// <summary>
/// One run: a real Host process (Release build, Sandbox on) on one profile; the world set up through its API; one
/// CSV import of N URLs timed; the campaign's counters polled until every URL is submitted; then the figures.
/// </summary>
internal static class PipelineRun
{
    public static async Task<PipelineResult> RunAsync(string store, int urls, BenchmarkOptions options, ThrowawayPostgres? server)
    {
        await using var folder = TempFolder.Create("backlink-e2e-");
        var postgres = store == "postgres"
            ? await ThrowawayPostgres.CreateDatabaseAsync(options.Postgres ?? server!.ConnectionString, "e2e")
            : null;
        var environment = new Dictionary<string, string>
        {
            ["Sandbox__Enabled"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__BacklinkOrleans"] = "Warning",
            ["Sandbox__RequestLogCapacity"] = "10000",
        };
        if (options.PostgresConnections > 0)
            environment["Postgres__MaxConnections"] = options.PostgresConnections.ToString(CultureInfo.InvariantCulture);
        await using var host = await HostProcess.StartAsync(new HostProcess.Settings(folder.Path, postgres) { Environment = environment });
        try
        {
            return await MeasureAsync(store, urls, options, server, folder, postgres, host);
        }
        catch (Exception) when (Tail(host.Output) is var tail && Console.Error.WriteLineAsync($"The Host said, last:\n{tail}") is not null)
        {
            throw;
        }
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    private static async Task<PipelineResult> MeasureAsync(string store, int urls, BenchmarkOptions options, ThrowawayPostgres? server,
        TempFolder folder, string? postgres, HostProcess host)
    {
        var database = new BenchDatabase(postgres, Path.Combine(folder.Path, "data", "backlinks.db"));

        Console.WriteLine($"  setting up {options.Hosts:N0} hosts with verified IndexNow keys …");
        var setUp = Stopwatch.StartNew();
        var world = await BenchWorld.CreateAsync(host, options.Hosts, options.LatencyMs);
        Console.WriteLine($"  set up in {setUp.Elapsed.TotalSeconds:N1} s (each key added and verified through the API, 16 at a time)");
        var csv = world.Csv(urls);
        await Task.Delay(TimeSpan.FromSeconds(3)); // let start-up work settle before the idle figure
        var idle = (await world.RuntimeAsync(collect: false))["rssBytes"]!.GetValue<long>();
        var writesBefore = Writes(await world.RuntimeAsync(collect: false));
        var txBefore = await database.WriteTransactionIdAsync();

        Console.WriteLine($"  importing {urls:N0} URLs …");
        var clock = Stopwatch.StartNew();
        var import = Task.Run(async () =>
        {
            using var content = new ByteArrayContent(csv);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await world.Tenant.PostAsync($"/api/v1/campaigns/{world.CampaignId}/backlinks", content);
            await BenchWorld.EnsureAsync(response, "import the CSV");
            return clock.Elapsed;
        });

        var peak = 0L;
        long submitted = 0;
        Dictionary<string, long> counters = [];
        var lastPrint = TimeSpan.Zero;
        (long Commits, long Appends, long Micros) lastCommits = default;
        while (clock.Elapsed < options.MaxRun)
        {
            await Task.Delay(250);
            if (import.IsFaulted)
                await import; // throws what went wrong
            counters = await world.CountersAsync();
            submitted = counters.GetValueOrDefault("submitted");
            peak = Math.Max(peak, Rss(host.ProcessId));
            var failed = counters.Where(c => c.Key.StartsWith("failed", StringComparison.Ordinal)).Sum(c => c.Value);
            if (import.IsCompleted && submitted + failed >= urls)
                break;
            if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(10))
            {
                lastPrint = clock.Elapsed;
                var now = await world.RuntimeAsync(collect: false);
                var (commits, appends, micros) = (now["eventStoreTransactions"]!.GetValue<long>(), now["eventStoreAppends"]!.GetValue<long>(),
                    now["eventStoreCommitMicroseconds"]!.GetValue<long>());
                var (dc, da, dm) = (commits - lastCommits.Commits, appends - lastCommits.Appends, micros - lastCommits.Micros);
                lastCommits = (commits, appends, micros);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {clock.Elapsed.TotalSeconds,5:F0} s: {string.Join(", ", counters.Select(c => $"{c.Key}={c.Value:N0}"))}, RSS {Rss(host.ProcessId) / 1048576:N0} MB, "
                    + $"{dc / 10.0:N0} commits/s, {(dc == 0 ? 0 : (double)da / dc):N0} appends and {(dc == 0 ? 0 : dm / 1000.0 / dc):N1} ms each"));
            }
        }
        var allSubmitted = clock.Elapsed;
        var finished = submitted >= urls;
        var importTime = import.IsCompleted ? await import : clock.Elapsed;

        var txAfter = await database.WriteTransactionIdAsync();
        var runtime = await world.RuntimeAsync(collect: true);
        var writesAfter = Writes(runtime);
        var breakdown = string.Join(", ", writesAfter.Where(w => w.Value - writesBefore.GetValueOrDefault(w.Key) > 0)
            .Select(w => $"{w.Key} {w.Value - writesBefore.GetValueOrDefault(w.Key):N0}"));
        var writeTransactions = txAfter is { } after && txBefore is { } before
            ? after - before - 1 // the probe's own transaction
            : writesAfter.Values.Sum() - writesBefore.Values.Sum();
        if (txAfter is not null)
            breakdown = $"PostgreSQL transaction ids; our own count: {breakdown}";

        var latencies = await database.SubmitLatenciesAsync();
        var engine = await world.IndexNowStatisticsAsync();
        Console.WriteLine($"  the field's script sends {options.ScriptUrls:N0} URLs …");
        var script = await FieldScript.RunAsync(await world.SandboxHttpsPortAsync(), world.Sites, options.ScriptUrls);
        if (Environment.GetEnvironmentVariable("BENCH_EXCEPTIONS") is not null)
            Console.WriteLine(runtime["firstChanceExceptionSamples"]!.ToJsonString());
        Console.WriteLine($"  events by type: {string.Join(", ", (await database.EventsByTypeAsync()).Select(e => $"{e.Type} {e.Count:N0}"))}");
        var exceptions = runtime["firstChanceExceptions"]!.AsObject().OrderByDescending(e => e.Value!.GetValue<long>()).Take(6)
            .Select(e => $"{e.Key} {e.Value!.GetValue<long>():N0}");

        var result = new PipelineResult(store, urls, options.Hosts, importTime, allSubmitted, finished, submitted, counters,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), Math.Max(peak, runtime["peakRssBytes"]!.GetValue<long>()),
            runtime["rssBytes"]!.GetValue<long>(), idle, runtime["managedHeapBytes"]!.GetValue<long>(), await database.EventCountAsync(),
            writeTransactions, breakdown, engine["requests"]!.GetValue<int>(), engine["urlsAccepted"]!.GetValue<int>(),
            engine["urlsAcceptedTwiceWithinADay"]!.GetValue<int>(), script.UrlsPerSecond,
            postgres is null ? 0 : BenchDatabase.TooManyClients(server?.LogFile), string.Join(", ", exceptions.DefaultIfEmpty("none")));
        await host.StopAsync();
        return result;
    }

    private static Dictionary<string, long> Writes(JsonNode runtime) =>
        runtime["writeTransactions"]!.AsObject().ToDictionary(w => w.Key, w => w.Value!.GetValue<long>());

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Resident memory of a process, from /proc.</summary>
    public static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
