using System.Diagnostics;
using System.Globalization;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Storage.EventStore;

namespace BacklinkOrleans.Benchmarks;

/// <summary>One measured scenario against one store.</summary>
internal sealed record Measurement(string Store, string Scenario, int Appends, int Events, TimeSpan Elapsed, long Transactions)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Store,-10} {Scenario,-44} {Events,8} events {Elapsed.TotalSeconds,7:F2} s {EventsPerSecond,9:N0} events/s  {Transactions,6} tx  {(double)Appends / Math.Max(1, Transactions),7:F1} appends/tx");
}

/// <summary>The scenarios: sequential single appends (one transaction each) and many concurrent writers (group commit).</summary>
internal static class StorageBenchmark
{
    public static async Task<IReadOnlyList<Measurement>> RunAsync(string name, GroupCommitEventStore store, Options options)
    {
        var results = new List<Measurement>
        {
            await MeasureAsync(name, $"single appends, 1 writer, 1 event each", store, 1, options.SingleAppends, 1),
            await MeasureAsync(name, $"group commit, {options.Writers} writers, 1 event each", store, options.Writers, options.Events, 1),
            await MeasureAsync(name, $"group commit, {options.Writers} writers, 10 events each", store, options.Writers, options.Events, 10),
        };
        return results;
    }

    private static async Task<Measurement> MeasureAsync(string name, string scenario, GroupCommitEventStore store,
        int writers, int totalEvents, int eventsPerAppend)
    {
        var appendsPerWriter = Math.Max(1, totalEvents / eventsPerAppend / writers);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var payload = $$"""{"url":"https://guest-blog.example/{{new string('p', 60)}}","campaign":"bench","status":200}""";
        var transactionsBefore = store.Statistics.Transactions;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
            {
                var events = Enumerable.Range(0, eventsPerAppend)
                    .Select(_ => new EventData(Guid.NewGuid(), "bench.happened.v1", payload, "{}")).ToList();
                // Each append opens a stream of its own, as collecting a new backlink does.
                var result = await store.AppendAsync($"bench-{runId}/{writer}/{i}", 0, events);
                if (result.Status != AppendStatus.Appended)
                    throw new InvalidOperationException(result.ToString());
            }
        })));
        clock.Stop();
        var appends = writers * appendsPerWriter;
        return new Measurement(name, scenario, appends, appends * eventsPerAppend, clock.Elapsed,
            store.Statistics.Transactions - transactionsBefore);
    }
}

internal sealed record Options(string Stores, int Events, int SingleAppends, int Writers, string? PostgresConnectionString)
{
    public static Options Parse(string[] args)
    {
        var options = new Options("both", 50_000, 2_000, 256, null);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--store" => options with { Stores = value },
                "--events" => options with { Events = int.Parse(value, CultureInfo.InvariantCulture) },
                "--single" => options with { SingleAppends = int.Parse(value, CultureInfo.InvariantCulture) },
                "--writers" => options with { Writers = int.Parse(value, CultureInfo.InvariantCulture) },
                "--postgres" => options with { PostgresConnectionString = value },
                _ => throw new ArgumentException($"unknown option {args[i]}; use --store sqlite|postgres|both, --events N, --single N, --writers N, --postgres CONNECTION"),
            };
            i++;
        }
        return options;
    }
}
