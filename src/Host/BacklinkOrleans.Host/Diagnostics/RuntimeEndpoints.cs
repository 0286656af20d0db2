using System.Collections.Concurrent;
using BacklinkOrleans.SharedKernel.Diagnostics;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Storage.EventStore;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BacklinkOrleans.Host.Diagnostics;

/// <summary>What the process costs and did: memory, garbage collection, storage writes, first-chance exceptions, activations.</summary>
public sealed record RuntimeReport(
    long RssBytes,
    long PeakRssBytes,
    long ManagedHeapBytes,
    long GcCommittedBytes,
    bool ServerGc,
    IReadOnlyList<int> Collections,
    long EventStoreTransactions,
    long EventStoreAppends,
    long EventStoreEvents,
    long EventStoreCommitMicroseconds,
    IReadOnlyDictionary<string, long> WriteTransactions,
    IReadOnlyDictionary<string, long> FirstChanceExceptions,
    IReadOnlyDictionary<string, string> FirstChanceExceptionSamples,
    IReadOnlyDictionary<string, int> Activations);

internal static class RuntimeEndpoints
{
    private static readonly ConcurrentDictionary<string, long> FirstChance = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> FirstChanceSample = new(StringComparer.Ordinal);
    private static int watching;

    /// <summary>Counts first-chance exceptions by type from now on (cheap: one dictionary update per exception).</summary>
    public static void WatchFirstChanceExceptions()
    {
        if (Interlocked.Exchange(ref watching, 1) == 0)
            AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
            {
                var name = e.Exception.GetType().Name;
                if (FirstChance.AddOrUpdate(name, 1, (_, n) => n + 1) % 1000 == 1)
                    FirstChanceSample[name] = $"{e.Exception.Message} at {new System.Diagnostics.StackTrace(1, false)}"; // where one was thrown, for diagnosis
            };
    }

    /// <summary><c>GET /ops/runtime[?collect=true]</c>, operator key only: with collect, after a full blocking collection (the live heap).</summary>
    public static IEndpointRouteBuilder MapRuntimeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ops/runtime", ReportAsync).WithTags("Diagnostics").RequireAuthorization(TenantClaims.OperatorPolicy)
            .WithName("RuntimeReport").WithSummary("Memory, GC, storage write transactions, first-chance exceptions and activations of this process.");
        return app;
    }

    private static async Task<Ok<RuntimeReport>> ReportAsync(bool? collect, GroupCommitEventStore store, IGrainFactory grains)
    {
        if (collect == true)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        var info = GC.GetGCMemoryInfo();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var activations = statistics.GroupBy(s => s.GrainType).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
        var (rss, peak) = ProcessMemory();
        return TypedResults.Ok(new RuntimeReport(rss, peak, GC.GetTotalMemory(false), info.TotalCommittedBytes,
            System.Runtime.GCSettings.IsServerGC, [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            store.Statistics.Transactions, store.Statistics.Appends, store.Statistics.Events, store.Statistics.CommitMicroseconds, StorageWrites.Snapshot(),
            new Dictionary<string, long>(FirstChance, StringComparer.Ordinal), new Dictionary<string, string>(FirstChanceSample, StringComparer.Ordinal),
            activations));
    }

    /// <summary>Resident and peak resident memory from /proc (Linux); the working set elsewhere.</summary>
    private static (long Rss, long Peak) ProcessMemory()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return (Environment.WorkingSet, Environment.WorkingSet);
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = Kilobytes(line) * 1024;
        }
        return (rss, peak);

        static long Kilobytes(string line) => long.Parse(line.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
