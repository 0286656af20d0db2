using System.Collections.Concurrent;

namespace BacklinkOrleans.SharedKernel.Diagnostics;

/// <summary>
/// Durable write transactions this process committed, by kind ("event-store", "grain-state", "reminder",
/// "schedule-claim", …): the benchmark divides them by the backlinks it moved, to show that the per-backlink path
/// writes through the group commit only. Process-wide, for diagnostics.
/// </summary>
public static class StorageWrites
{
    private static readonly ConcurrentDictionary<string, long> Counts = new(StringComparer.Ordinal);

    public static void Record(string kind, long transactions = 1) => Counts.AddOrUpdate(kind, transactions, (_, n) => n + transactions);

    public static IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(Counts, StringComparer.Ordinal);

    public static long Total => Counts.Values.Sum();
}
