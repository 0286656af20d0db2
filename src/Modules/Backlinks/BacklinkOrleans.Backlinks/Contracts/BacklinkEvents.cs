using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>Something that happened to one backlink. Past tense, immutable, stored under a stable alias.</summary>
public interface IBacklinkEvent : IDomainEvent
{
    DateTimeOffset At { get; }
}

/// <summary>The URL entered the system for <see cref="CampaignId"/>, whose settings govern its lifecycle.</summary>
[GenerateSerializer, Immutable, Alias("backlink.collected.v1")]
public sealed record BacklinkCollected(
    Guid EventId, string Tenant, string UrlHash, string Url, string Host, string CampaignId,
    string? TargetUrl, string? Anchor, string? Note, int Priority, DateTimeOffset At) : IBacklinkEvent;

/// <summary>An already collected URL was imported into a further campaign: recorded and counted there.</summary>
[GenerateSerializer, Immutable, Alias("backlink.campaign-joined.v1")]
public sealed record BacklinkJoinedCampaign(Guid EventId, string CampaignId, DateTimeOffset At) : IBacklinkEvent;

/// <summary>
/// The channels whose credentials cover the URL, in the campaign's preference order (none: it fails), with the
/// credential and quota of each (<see cref="Targets"/>; absent in events recorded before targets were) and the index
/// checkers that cover it (<see cref="Checkers"/>). <see cref="PreCheck"/>: the campaign checks the index before it
/// submits (an indexed URL then spends no quota).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.routed.v1")]
public sealed record BacklinkRouted(Guid EventId, IReadOnlyList<string> Channels, DateTimeOffset At,
    IReadOnlyList<RouteTarget>? Targets = null, IReadOnlyList<RouteTarget>? Checkers = null, bool PreCheck = false) : IBacklinkEvent
{
    /// <summary>The submission targets, also for events that only name channels.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<RouteTarget> SubmitTargets => Targets ?? [.. Channels.Select(RouteTarget.ForChannel)];
}

/// <summary>The URL passed validation; <see cref="Evidence"/> says what was checked.</summary>
[GenerateSerializer, Immutable, Alias("backlink.validated.v1")]
public sealed record BacklinkValidated(Guid EventId, string Evidence, DateTimeOffset At) : IBacklinkEvent;

/// <summary>The URL failed with a reason code (see <see cref="FailureReasons"/>).</summary>
[GenerateSerializer, Immutable, Alias("backlink.failed.v1")]
public sealed record BacklinkFailed(Guid EventId, string Reason, string? Detail, DateTimeOffset At) : IBacklinkEvent;

/// <summary>
/// One request to a channel on the URL's behalf, whatever its outcome (<see cref="SubmissionOutcomes"/>; absent in
/// events written before outcomes were recorded). <see cref="HoldUntil"/>: the channel must not be asked again before.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.submission-attempted.v1")]
public sealed record SubmissionAttempted(
    Guid EventId, string Channel, string CredentialFingerprint, string? BatchId, int Status, bool Accepted,
    string? ErrorExcerpt, long DurationMs, DateTimeOffset At, string? Outcome = null, DateTimeOffset? HoldUntil = null,
    bool Withdrawal = false, decimal? Cost = null) : IBacklinkEvent
{
    /// <summary>Whether this attempt counts as a send (accepted, or possibly received) toward the URL's limit.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool CountsAsSend => Accepted || Outcome == SubmissionOutcomes.Unknown;
}

/// <summary>
/// The URL was handed to the quota grain of <see cref="Channel"/> (<see cref="QuotaKey"/>); its answer comes later.
/// If none has come by <see cref="LookAgainAt"/> (a crash, or the next quota window when today's is spent), the URL
/// is handed over again. <see cref="Detail"/> says what it waits for.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.submission-queued.v1")]
public sealed record SubmissionQueued(Guid EventId, string Channel, string QuotaKey, DateTimeOffset LookAgainAt, string Detail, DateTimeOffset At) : IBacklinkEvent;

/// <summary>
/// A step could not be taken now (<see cref="Step"/>: route, validate, submit, check): <see cref="Reason"/> says why,
/// and it is tried again at <see cref="Until"/>. The state does not change; the wait is visible.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.waiting.v1")]
public sealed record BacklinkWaiting(Guid EventId, string Step, string Reason, DateTimeOffset Until, DateTimeOffset At, string? Gate = null) : IBacklinkEvent;

/// <summary>A channel refused the URL for good (<see cref="Reason"/>): the next covering channel is tried.</summary>
[GenerateSerializer, Immutable, Alias("backlink.channel-dropped.v1")]
public sealed record ChannelDropped(Guid EventId, string Channel, string Reason, string? Detail, DateTimeOffset At) : IBacklinkEvent;

/// <summary>A channel accepted the URL; the first index check is due at <see cref="NextCheckAt"/>.</summary>
[GenerateSerializer, Immutable, Alias("backlink.submitted.v1")]
public sealed record BacklinkSubmitted(Guid EventId, string Channel, DateTimeOffset? NextCheckAt, DateTimeOffset At, bool Withdrawable = false) : IBacklinkEvent;

/// <summary>
/// An index-status check ran: what the provider saw (<see cref="Verdict"/>, one of <see cref="IndexVerdicts"/>; absent
/// in events written before verdicts: then <see cref="Indexed"/> says it) with its evidence in <see cref="Detail"/>, who
/// checked (<see cref="Checker"/>, <see cref="Fingerprint"/>, request <see cref="CheckId"/>), what it cost, and what the
/// lifecycle made of it: the next check at <see cref="NextCheckAt"/> (none: no more), <see cref="FollowUpsDone"/> of the
/// campaign's schedule, and since when the URL has been missed (<see cref="MissedSince"/>). <see cref="Stage"/>: which
/// check this was (<see cref="CheckStages"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.index-checked.v1")]
public sealed record IndexChecked(Guid EventId, bool Indexed, string Detail, DateTimeOffset? NextCheckAt, DateTimeOffset At,
    string? Verdict = null, string? Checker = null, string? Fingerprint = null, string? CheckId = null, string? Reason = null,
    decimal? Cost = null, long DurationMs = 0, string? Stage = null, int FollowUpsDone = 0, DateTimeOffset? MissedSince = null) : IBacklinkEvent
{
    /// <summary>The verdict, also for events written before verdicts were.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string EffectiveVerdict => Verdict ?? (Indexed ? IndexVerdicts.Indexed : IndexVerdicts.NotIndexed);
}

/// <summary>
/// The URL was seen indexed; monitoring continues until the horizon. <see cref="AlreadyIndexed"/>: seen by the check
/// before submission (no quota spent); else <see cref="TimeToIndex"/> runs from its first accepted submission.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.indexed.v1")]
public sealed record BacklinkIndexed(Guid EventId, DateTimeOffset? NextCheckAt, DateTimeOffset At, bool AlreadyIndexed = false,
    TimeSpan? TimeToIndex = null) : IBacklinkEvent;

/// <summary>
/// Not indexed at the last scheduled check (<see cref="Reason"/> not-indexed), or dropped out of the index
/// (dropped-out): the URL goes back to submission through <see cref="Channel"/>, not before <see cref="NotBefore"/>
/// (never the same channel within 24 h of its acceptance), and the follow-up schedule restarts from the new acceptance.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.recovery-started.v1")]
public sealed record RecoveryStarted(Guid EventId, string Reason, string Channel, string Detail, DateTimeOffset? NotBefore, DateTimeOffset At) : IBacklinkEvent;

/// <summary>The check before submission was not made (no provider covers the URL): it is submitted without one.</summary>
[GenerateSerializer, Immutable, Alias("backlink.pre-check-skipped.v1")]
public sealed record PreCheckSkipped(Guid EventId, string Reason, DateTimeOffset At) : IBacklinkEvent;

/// <summary>A user asked to retry a failed URL: it starts again from routing.</summary>
[GenerateSerializer, Immutable, Alias("backlink.retry-requested.v1")]
public sealed record RetryRequested(Guid EventId, DateTimeOffset At) : IBacklinkEvent;

/// <summary>
/// A user retired the URL: it takes no further steps and monitoring ends. <see cref="WithdrawFrom"/>: the channel it
/// is still to be withdrawn from (one that withdraws and accepted it), so the read model keeps it due until then.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.retired.v1")]
public sealed record BacklinkRetired(Guid EventId, DateTimeOffset At, string? WithdrawFrom = null) : IBacklinkEvent;

/// <summary>
/// A retired URL that <see cref="Channel"/> had accepted was handed to that channel's quota grain to be withdrawn
/// (Google: a URL_DELETED notification); the channel's answer follows as a <see cref="SubmissionAttempted"/> with
/// <c>Withdrawal</c> set.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.withdrawal-queued.v1")]
public sealed record WithdrawalQueued(Guid EventId, string Channel, string Detail, DateTimeOffset At) : IBacklinkEvent;

/// <summary>A user asked for an index check now.</summary>
[GenerateSerializer, Immutable, Alias("backlink.check-requested.v1")]
public sealed record CheckRequested(Guid EventId, DateTimeOffset At) : IBacklinkEvent;

/// <summary>The steps a backlink takes, as waits and next steps name them.</summary>
public static class BacklinkSteps
{
    public const string Route = "route";
    public const string Validate = "validate";
    public const string Submit = "submit";
    public const string Check = "check";
    public const string Withdraw = "withdraw";
}

/// <summary>
/// At a follow-up, the page was fetched again for its link to the campaign's target: what it showed (the evidence of
/// link-rot; <see cref="Reachable"/> false: the page could not be read, nothing is concluded).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink.link-checked.v1")]
public sealed record LinkChecked(Guid EventId, string Target, bool Reachable, bool Present, string? Anchor, string? Rel, string Evidence, DateTimeOffset At)
    : IBacklinkEvent;

/// <summary>The page no longer links to the target (it did when validated or last checked). Not a failure: counted and shown.</summary>
[GenerateSerializer, Immutable, Alias("backlink.link-missing.v1")]
public sealed record LinkMissing(Guid EventId, string Target, string Evidence, DateTimeOffset At) : IBacklinkEvent;

/// <summary>The link to the target is back.</summary>
[GenerateSerializer, Immutable, Alias("backlink.link-restored.v1")]
public sealed record LinkRestored(Guid EventId, string Target, string? Anchor, string? Rel, DateTimeOffset At) : IBacklinkEvent;

/// <summary>The link's rel changed (e.g. it became nofollow, ugc or sponsored).</summary>
[GenerateSerializer, Immutable, Alias("backlink.link-rel-changed.v1")]
public sealed record LinkRelChanged(Guid EventId, string Target, string? From, string? To, string? Anchor, DateTimeOffset At) : IBacklinkEvent;

/// <summary>Which check an <see cref="IndexChecked"/> was.</summary>
public static class CheckStages
{
    /// <summary>Before submission: an indexed URL needs no quota.</summary>
    public const string PreCheck = "pre-check";

    /// <summary>One of the campaign's follow-ups after an accepted submission (or a confirmation of a miss).</summary>
    public const string FollowUp = "follow-up";

    /// <summary>The slow checks of an indexed URL until the campaign's horizon (drop-outs).</summary>
    public const string Monitor = "monitor";

    /// <summary>A check a user asked for ("check now"): it takes no scheduled follow-up's place.</summary>
    public const string Requested = "requested";

    /// <summary>
    /// A channel's own report on what it did (a paid vendor's task report): evidence the backlink did not ask for. It
    /// takes no follow-up's place; only an indexed or a blocking verdict changes the state.
    /// </summary>
    public const string Report = "report";
}

/// <summary>Reason codes of indexed backlinks (success, shown like failure reasons).</summary>
public static class IndexedReasons
{
    /// <summary>Indexed before any submission: the check before submission saw it, no quota spent.</summary>
    public const string AlreadyIndexed = "already-indexed";
}

/// <summary>Stable reason codes of failed backlinks.</summary>
public static class FailureReasons
{
    public const string InvalidUrl = "invalid-url";
    public const string NoChannel = "no-channel";
    public const string RobotsDisallowed = "robots-disallowed";
    public const string RobotsUnreachable = "robots-unreachable";
    public const string HttpNotFound = "http-not-found";
    public const string Soft404 = "soft-404";
    public const string HttpError = "http-error";
    public const string RedirectOffHost = "redirect-off-host";
    public const string Noindex = "noindex";
    public const string LinkMissing = "link-missing";
    public const string KeyInvalid = "key-invalid";
    public const string ChannelRejected = "channel-rejected";
    public const string NotOwner = "not-owner";
    public const string OutcomeUnknown = "outcome-unknown";
    public const string NotIndexed = "not-indexed";
    public const string DroppedOut = "dropped-out";
}
