namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>
/// One backlink URL of one tenant, keyed <c>{tenant}/{sha256 of the normalized url}</c>: its lifecycle from
/// collection to indexed or failed. Every change is an event in the stream <c>backlink/{key}</c>.
/// </summary>
public interface IBacklinkGrain : IGrainWithStringKey
{
    /// <summary>Collects the URL into a campaign: starts the lifecycle, records a further campaign, or is a duplicate.</summary>
    Task<CollectOutcome> CollectAsync(CollectBacklink command);

    /// <summary>The current state; null when the URL was never collected. Answers even while a step is under way.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<BacklinkView?> GetAsync();

    /// <summary>Takes every step that is due now (route, validate, submit, check), as far as the bound ports allow.</summary>
    Task DriveAsync();

    /// <summary>Like <see cref="DriveAsync"/>, one-way: the caller does not wait (the fast path's self calls).</summary>
    [OneWay]
    Task ContinueAsync();

    /// <summary>
    /// Drives a backlink whose stream was written outside the grain (the bulk import appends the collected event
    /// directly): reloads first when the activation holds less than <paramref name="minimumVersion"/>.
    /// </summary>
    Task WakeAsync(long minimumVersion);

    /// <summary>Starts a failed URL again from routing.</summary>
    Task<CommandOutcome> RetryAsync();

    /// <summary>Ends the URL's lifecycle: no further steps, monitoring ends.</summary>
    Task<CommandOutcome> RetireAsync();

    /// <summary>Asks for an index check now (submitted or indexed URLs).</summary>
    Task<CommandOutcome> CheckNowAsync();

    /// <summary>Records a channel's answer to a submission made on this URL's behalf (called by the submission module).</summary>
    Task<CommandOutcome> RecordSubmissionAsync(SubmissionReport report);

    /// <summary>Records an index-status check (called by the monitoring module).</summary>
    Task<CommandOutcome> RecordIndexCheckAsync(IndexCheckReport report);
}

/// <summary>
/// A channel's answer for this URL, delivered by the submission module from a timer (never inside the backlink's own
/// call). <see cref="Outcome"/> is one of <see cref="SubmissionOutcomes"/>; <see cref="NextCheckAt"/>: when the first
/// index check is due if accepted; <see cref="HoldUntil"/>: not before this time on this channel (outcome unknown).
/// <see cref="BatchId"/> names the request and makes a repeated delivery of the same answer a no-op.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.submission-report")]
public sealed record SubmissionReport(
    [property: Id(0)] string Channel,
    [property: Id(1)] string CredentialFingerprint,
    [property: Id(2)] string? BatchId,
    [property: Id(3)] int Status,
    [property: Id(4)] bool Accepted,
    [property: Id(5)] string? ErrorExcerpt,
    [property: Id(6)] long DurationMs,
    [property: Id(7)] DateTimeOffset? NextCheckAt,
    [property: Id(8)] string? FailureReason = null,
    [property: Id(9)] string? Outcome = null,
    [property: Id(10)] DateTimeOffset? HoldUntil = null,
    [property: Id(11)] bool Withdrawable = false,
    [property: Id(12)] bool Withdrawal = false)
{
    /// <summary>The outcome, inferred for reports that do not name one (accepted, refused with a reason, or deferred).</summary>
    public string EffectiveOutcome => Outcome ?? (Accepted ? SubmissionOutcomes.Accepted
        : FailureReason is not null ? SubmissionOutcomes.Refused : SubmissionOutcomes.Deferred);
}

/// <summary>What a channel's answer means for the URL.</summary>
public static class SubmissionOutcomes
{
    /// <summary>The channel took the URL: it is submitted, and index checks follow from now.</summary>
    public const string Accepted = "accepted";

    /// <summary>Not consumed (429, 5xx, never sent): the channel keeps the URL queued and tries again later.</summary>
    public const string Deferred = "deferred";

    /// <summary>Sent, but the answer was lost (a crash, a dropped connection): not sent again on this channel before HoldUntil.</summary>
    public const string Unknown = "unknown";

    /// <summary>The channel will not take this URL (its FailureReason): the next covering channel is tried, or the URL fails.</summary>
    public const string Refused = "refused";
}

/// <summary>An index check's result. <see cref="NextCheckAt"/> null: this was the last scheduled check.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.index-check-report")]
public sealed record IndexCheckReport(
    [property: Id(0)] bool Indexed,
    [property: Id(1)] string Detail,
    [property: Id(2)] DateTimeOffset? NextCheckAt);
