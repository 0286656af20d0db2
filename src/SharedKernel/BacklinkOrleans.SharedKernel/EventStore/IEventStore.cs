namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>
/// The append-only event log. Streams are versioned from 1 without gaps; an append names the version it expects
/// the stream to be at (0 for a new stream), which is the single-writer guarantee across silos.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> atomically if the stream is at <paramref name="expectedVersion"/>.
    /// Re-appending events whose ids are already stored in the stream succeeds without writing
    /// (<see cref="AppendStatus.AlreadyAppended"/>), so a retry after a lost acknowledgement is safe.
    /// </summary>
    Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default);

    /// <summary>The stream's events in version order; with <paramref name="recordedUpTo"/>, only those recorded until then.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, DateTimeOffset? recordedUpTo = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// What an aggregate folds to know its stream now: the events from the stream's latest snapshot on (every event
    /// when it has none). History and audits read the whole stream with <see cref="ReadStreamAsync"/>.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadCurrentAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> events of the whole log after <paramref name="afterPosition"/>, in position order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxCount"/> events committed after <paramref name="after"/>, in an order no later commit
    /// can slip into: only events whose transactions have all ended are returned (on PostgreSQL, transactions below the
    /// oldest one still running; positions alone may commit out of order). What a checkpointed subscription tails.
    /// </summary>
    Task<LogPage> ReadCommittedAsync(LogCursor after, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Recomputes the hash chain of one stream, or of every stream when <paramref name="streamId"/> is null.</summary>
    Task<ChainVerificationReport> VerifyAsync(string? streamId = null, CancellationToken cancellationToken = default);
}
