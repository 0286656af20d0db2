namespace BacklinkOrleans.Storage.EventStore;

/// <summary>Counters of a store since it was created: how well group commit coalesces appends.</summary>
public sealed class EventStoreStatistics
{
    private long transactions;
    private long appends;
    private long events;
    private long conflicts;
    private long retries;
    private long commitMicroseconds;
    private long readGroups;
    private long groupedReads;
    private long largestReadGroup;

    /// <summary>Committed write transactions.</summary>
    public long Transactions => Interlocked.Read(ref transactions);

    /// <summary>Appends answered (appended, already appended or conflict).</summary>
    public long Appends => Interlocked.Read(ref appends);

    /// <summary>Events written.</summary>
    public long Events => Interlocked.Read(ref events);

    public long Conflicts => Interlocked.Read(ref conflicts);

    /// <summary>Batches re-run because another process wrote the same stream concurrently.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Time spent in commits (reads that decide the batch, writes, projections, the commit itself), in microseconds.</summary>
    public long CommitMicroseconds => Interlocked.Read(ref commitMicroseconds);

    internal void RecordCommit(int appendCount, int eventCount, int conflictCount, TimeSpan duration)
    {
        Interlocked.Add(ref commitMicroseconds, (long)duration.TotalMicroseconds);
        Interlocked.Increment(ref transactions);
        Interlocked.Add(ref appends, appendCount);
        Interlocked.Add(ref events, eventCount);
        Interlocked.Add(ref conflicts, conflictCount);
    }

    internal void RecordRetry() => Interlocked.Increment(ref retries);

    /// <summary>Statements that answered grouped stream reads (PostgreSQL), and the reads they answered.</summary>
    public long ReadGroups => Interlocked.Read(ref readGroups);

    public long GroupedReads => Interlocked.Read(ref groupedReads);

    /// <summary>The most stream reads one statement answered.</summary>
    public long LargestReadGroup => Interlocked.Read(ref largestReadGroup);

    internal void RecordReadGroup(int reads)
    {
        Interlocked.Increment(ref readGroups);
        Interlocked.Add(ref groupedReads, reads);
        long largest;
        while (reads > (largest = Interlocked.Read(ref largestReadGroup)) && Interlocked.CompareExchange(ref largestReadGroup, reads, largest) != largest)
        {
        }
    }
}
