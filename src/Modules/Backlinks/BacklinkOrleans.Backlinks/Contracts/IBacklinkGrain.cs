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
    [property: Id(12)] bool Withdrawal = false,
    [property: Id(13)] decimal? Cost = null)
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

/// <summary>
/// An index-status provider's answer for this URL (URL Inspection, a SERP checker), delivered by the lane like a
/// submission's. <see cref="Verdict"/> is one of <see cref="IndexVerdicts"/>; <see cref="Reason"/> names the blocking
/// cause of a <see cref="IndexVerdicts.Blocked"/> verdict (a <see cref="FailureReasons"/> code); <see cref="Evidence"/>
/// is what the provider said, kept in the URL's history. <see cref="CheckId"/> names the request, so a repeated
/// delivery is a no-op. The lifecycle decides what follows from the campaign's schedule, not the provider.
/// <see cref="Unsolicited"/>: a channel's own report on a URL it took (a paid vendor's task report), not an answer to a
/// check the backlink asked for — it takes no follow-up's place (<see cref="CheckStages.Report"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.index-check-report")]
public sealed record IndexCheckReport(
    [property: Id(0)] string Checker,
    [property: Id(1)] string CredentialFingerprint,
    [property: Id(2)] string? CheckId,
    [property: Id(3)] string Verdict,
    [property: Id(4)] string? Reason,
    [property: Id(5)] string Evidence,
    [property: Id(6)] decimal? Cost = null,
    [property: Id(7)] long DurationMs = 0,
    [property: Id(8)] bool Unsolicited = false);

/// <summary>What an index check saw.</summary>
public static class IndexVerdicts
{
    /// <summary>The URL is in the index.</summary>
    public const string Indexed = "indexed";

    /// <summary>The provider says for certain that it is not (URL Inspection: "URL is unknown to Google", "Discovered – currently not indexed").</summary>
    public const string NotIndexed = "not-indexed";

    /// <summary>Not among the search results: alone it proves nothing (search results miss indexed pages); two misses an hour apart do.</summary>
    public const string Missed = "missed";

    /// <summary>The provider could not tell (refused, a neutral verdict): the check counts for nothing.</summary>
    public const string Unknown = "unknown";

    /// <summary>The provider saw a cause that keeps the page out of the index for good (noindex, robots, 404/410, soft 404, a redirect elsewhere).</summary>
    public const string Blocked = "blocked";

    public static readonly IReadOnlyList<string> All = [Indexed, NotIndexed, Missed, Unknown, Blocked];
}
