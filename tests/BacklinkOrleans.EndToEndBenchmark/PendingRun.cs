using System.Globalization;
using System.Net.Http.Json;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>What the pending mode measured.</summary>
internal sealed record PendingResult(string Store, int Pending, long EmptyRssBytes, long PendingRssBytes, long Driven, int ActiveBacklinks,
    TimeSpan Seeding, TimeSpan Watched)
{
    public double BytesPerPending => (double)Math.Max(0, PendingRssBytes - EmptyRssBytes) / Pending;

    public string Report() => string.Create(CultureInfo.InvariantCulture, $"""
        {Store} profile, {Pending:N0} backlinks waiting for follow-ups (seeded in {Seeding.TotalSeconds:N0} s)
          RSS of an idle Host on an empty database   {EmptyRssBytes / 1048576.0,8:N0} MB
          RSS of the Host with the pending backlinks {PendingRssBytes / 1048576.0,8:N0} MB after {Watched.TotalSeconds:N0} s
          per pending backlink                       {BytesPerPending,8:N0} B  (goal ≤ 4,096 B)
          due ones driven meanwhile                  {Driven:N0}; backlink activations left: {ActiveBacklinks:N0}
        """);
}

/// <summary>
/// RSS of a Host with N backlinks waiting for their follow-up checks. They are seeded in bulk through the event store
/// and its inline projections (as the pipeline would write them, without running it), a share of them due within the
/// run; then the Host starts on that database and schedules and serves them as usual.
/// </summary>
internal static class PendingRun
{
    public static async Task<PendingResult> RunAsync(string store, int count, BenchmarkOptions options, ThrowawayPostgres? server)
    {
        var empty = await MeasureIdleAsync(store, options, server, seed: null);
        var (rss, driven, active, seeding, watched) = await MeasureIdleAsync(store, options, server, seed: count);
        return new PendingResult(store, count, empty.Rss, rss, driven, active, seeding, watched);
    }

    private static async Task<(long Rss, long Driven, int Active, TimeSpan Seeding, TimeSpan Watched)> MeasureIdleAsync(
        string store, BenchmarkOptions options, ThrowawayPostgres? server, int? seed)
    {
        await using var folder = TempFolder.Create("backlink-pending-");
        var postgres = store == "postgres" ? await ThrowawayPostgres.CreateDatabaseAsync(options.Postgres ?? server!.ConnectionString, "pending") : null;
        var settings = new HostProcess.Settings(folder.Path, postgres)
        {
            Environment = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning", ["Reminders__MinimumPeriod"] = "00:01:00" },
        };
        var (code, output) = await HostProcess.RunVerbAsync(settings, "migrate");
        if (code != 0)
            throw new InvalidOperationException($"migrate failed: {output}");

        var seeding = TimeSpan.Zero;
        if (seed is { } n)
        {
            Console.WriteLine($"  seeding {n:N0} pending backlinks …");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await PendingSeeder.SeedAsync(postgres, Path.Combine(folder.Path, "data", "backlinks.db"), n, options.DueFraction);
            seeding = clock.Elapsed;
        }

        await using var host = await HostProcess.StartAsync(settings);
        var watched = TimeSpan.FromSeconds(seed is null ? 20 : 150); // more than two sweep periods of one minute
        Console.WriteLine($"  watching the Host for {watched.TotalSeconds:N0} s …");
        await Task.Delay(watched);
        var runtime = (await host.Operator.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/ops/runtime?collect=true"))!;
        var rss = PipelineRun.Rss(host.ProcessId);
        var active = runtime["activations"]!.AsObject().Where(a => a.Key.Contains("backlink", StringComparison.OrdinalIgnoreCase)
            && !a.Key.Contains("campaign", StringComparison.OrdinalIgnoreCase)).Sum(a => a.Value!.GetValue<int>());
        var driven = seed is null ? 0 : await PendingSeeder.DrivenAsync(postgres, Path.Combine(folder.Path, "data", "backlinks.db"));
        await host.StopAsync();
        return (rss, driven, active, seeding, watched);
    }
}
