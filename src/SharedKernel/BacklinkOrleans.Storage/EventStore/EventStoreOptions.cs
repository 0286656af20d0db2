using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.EventStore;

/// <summary>Bounds of one group commit. Appends that arrive while a commit runs are taken together by the next.</summary>
public sealed class EventStoreOptions
{
    /// <summary>The key the hash chains are made with (ADR 0023); null: plain SHA-256 (storage tests and tools only).</summary>
    public EventChainKey? ChainKey { get; set; }

    /// <summary>At most this many appends share one transaction.</summary>
    public int MaxAppendsPerCommit { get; set; } = 1_000;

    /// <summary>At most about this many events share one transaction (an append is never split).</summary>
    public int MaxEventsPerCommit { get; set; } = 5_000;

    /// <summary>Where reads of streams are grouped (PostgreSQL): at most this many streams share one statement.</summary>
    public int MaxStreamsPerRead { get; set; } = 256;

    /// <summary>Where reads of streams are grouped: statements of grouped reads at once (each holds a reader connection).</summary>
    public int ReadGroupsInFlight { get; set; } = 2;

    /// <summary>Longest accepted stream id.</summary>
    public int MaxStreamIdLength { get; set; } = 200;

    /// <summary>
    /// Stream heads the writer remembers from its own commits, so the next append to a stream needs no read of its
    /// head (an append raced by another process fails on the unique index and is decided again on fresh reads).
    /// </summary>
    public int HeadCacheSize { get; set; } = 50_000;
}
