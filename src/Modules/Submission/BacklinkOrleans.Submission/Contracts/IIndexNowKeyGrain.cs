namespace BacklinkOrleans.Submission.Contracts;

/// <summary>
/// The quota grain of one tenant's IndexNow key, keyed <c>{tenant}/{host}</c>: it queues the host's validated URLs,
/// batches them into POSTs within the key's daily budget, reserves quota before it sends (persisted, ETag-guarded),
/// and delivers every answer to the backlinks from a timer. See ADR 0012.
/// </summary>
public interface IIndexNowKeyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues a URL for submission. Answers when the backlink should look again if no answer reached it by then
    /// (the next quota window when today's is spent). Never calls the backlink back inside this call.
    /// </summary>
    [AlwaysInterleave]
    Task<DateTimeOffset> EnqueueAsync(QueuedUrl url);

    /// <summary>The key's quota, state and queue, as the Quota API shows them.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IndexNowQuota> GetQuotaAsync();

    /// <summary>The backlinks of an answer have recorded it (called by the courier that delivered it).</summary>
    [AlwaysInterleave]
    Task AcknowledgeAsync(string answerId);

    /// <summary>Re-reads the key (after its credential was verified again or replaced) and sends what is queued.</summary>
    Task WakeAsync();
}

/// <summary>A URL waiting for a POST: what the answer needs to reach its backlink and start its checks.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.queued-url")]
public sealed record QueuedUrl(
    [property: Id(0)] string UrlHash,
    [property: Id(1)] string Url,
    [property: Id(2)] int Priority,
    [property: Id(3)] TimeSpan FirstCheckAfter,
    [property: Id(4)] DateTimeOffset EnqueuedAt);

/// <summary>States of a key as the Quota API shows them.</summary>
public static class KeyStates
{
    public const string Ok = "ok";
    public const string Pending = "pending";
    public const string BackingOff = "backing-off";
    public const string Exhausted = "exhausted";
    public const string Invalid = "invalid";
    public const string NoCredential = "no-credential";
}

/// <summary>One IndexNow key's budget and state.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.indexnow-quota")]
public sealed record IndexNowQuota(
    [property: Id(0)] string Host,
    [property: Id(1)] string? CredentialId,
    [property: Id(2)] string? Fingerprint,
    [property: Id(3)] int Limit,
    [property: Id(4)] int Used,
    [property: Id(5)] int Reserved,
    [property: Id(6)] DateTimeOffset WindowResetsAt,
    [property: Id(7)] string State,
    [property: Id(8)] string? StateDetail,
    [property: Id(9)] DateTimeOffset? BackoffUntil,
    [property: Id(10)] int Queued,
    [property: Id(11)] int BatchSize,
    [property: Id(12)] int AnswersUndelivered);
