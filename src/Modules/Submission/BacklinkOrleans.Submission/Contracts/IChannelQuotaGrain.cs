using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Submission.Contracts;

/// <summary>
/// The quota grain of one quota of one channel, keyed <c>{tenant}/{channel}/{quotaKey}</c> (an IndexNow key's host, a
/// Google Cloud project, a vendor account): it queues URLs, sends them in batches through the channel within every
/// limit of the quota, reserves before it sends (as events, at most once), and delivers every answer to the backlinks
/// from its timer. See ADR 0013.
/// </summary>
public interface IChannelQuotaGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues a URL. Answers when its backlink should look again if no answer reached it by then (the next quota
    /// window when the current one is spent) and what it waits for. Never calls the backlink back inside this call.
    /// </summary>
    [AlwaysInterleave]
    Task<Enqueued> EnqueueAsync(LaneItem item);

    /// <summary>The quota's windows, state and queue, as the Quota API shows them.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<QuotaView> GetQuotaAsync();

    /// <summary>Backlinks recorded an answer (called by the deliverer that carried it): the URL hashes that did.</summary>
    [AlwaysInterleave]
    Task AcknowledgeAsync(string answerId, IReadOnlyList<string> urlHashes);

    /// <summary>
    /// Reads the credential again (after it was verified again or replaced) and sends what is queued. Interleaves: the
    /// grain's own send can change its credential (Google refusing a property), and the directory's change listener
    /// then calls this grain from inside that turn — a non-reentrant call would wait on itself until the call timed out.
    /// It only drops cached lookups and starts the pump, so it is safe between any two awaits of a turn.
    /// </summary>
    [AlwaysInterleave]
    Task WakeAsync();
}

/// <summary>The key of the quota grain of a channel's quota: <c>{tenant}/{channel}/{quotaKey}</c>.</summary>
public static class QuotaGrainKeys
{
    public static string Of(string tenant, string channel, string quotaKey) => $"{tenant}/{channel}/{quotaKey}";
}

/// <summary>A URL waiting for a request: what the answer needs to reach its backlink and start its checks, and how it ranks.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.lane-item")]
public sealed record LaneItem(
    [property: Id(0)] string UrlHash,
    [property: Id(1)] string Url,
    [property: Id(2)] string CredentialId,
    [property: Id(3)] int Priority,
    [property: Id(4)] int CampaignPriority,
    [property: Id(5)] TimeSpan FirstCheckAfter,
    [property: Id(6)] string Campaign,
    [property: Id(7)] DateTimeOffset EnqueuedAt,
    [property: Id(8)] bool Withdraw = false);

/// <summary>States of a quota as the Quota API shows them.</summary>
public static class QuotaStates
{
    public const string Ok = "ok";
    public const string Pending = "pending";
    public const string BackingOff = "backing-off";
    public const string Parked = "parked";
    public const string Exhausted = "exhausted";
    public const string Invalid = "invalid";
    public const string NoCredential = "no-credential";

    /// <summary>A paid account's credits are below the credential's threshold (sending goes on until they run out).</summary>
    public const string BalanceLow = "balance-low";
}

/// <summary>One window of a quota: its limit, what is used, what is left, and when it resets (in the window's own zone).</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.quota-window-view")]
public sealed record QuotaWindowView(
    [property: Id(0)] string Window,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Used,
    [property: Id(3)] int Remaining,
    [property: Id(4)] DateTimeOffset ResetsAt,
    [property: Id(5)] string ResetsAtLocal);

/// <summary>
/// A quota grain's view of itself. <see cref="Balance"/>: a paid account's credits as last read; <see cref="AwaitingReport"/>:
/// URLs the service took and will report on (a vendor's tasks not done yet).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.quota-view")]
public sealed record QuotaView(
    [property: Id(0)] string Channel,
    [property: Id(1)] string QuotaKey,
    [property: Id(2)] string? Fingerprint,
    [property: Id(3)] IReadOnlyList<QuotaWindowView> Windows,
    [property: Id(4)] int Reserved,
    [property: Id(5)] string State,
    [property: Id(6)] string? StateDetail,
    [property: Id(7)] DateTimeOffset? BackoffUntil,
    [property: Id(8)] DateTimeOffset? ParkedUntil,
    [property: Id(9)] int Queued,
    [property: Id(10)] int BatchSize,
    [property: Id(11)] int AnswersUndelivered,
    [property: Id(12)] long? Balance = null,
    [property: Id(13)] int AwaitingReport = 0);
