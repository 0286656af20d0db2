using System.Collections.Immutable;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>A step that cannot be taken now: which, why, and when it is tried again.</summary>
/// <param name="Gate">what the wait was for, when the step goes through once it ends (a drip-feed slot)</param>
internal sealed record Wait(string Step, string Reason, DateTimeOffset Until, string? Gate = null);

/// <summary>The link to the campaign's target as last seen on the page (at <see cref="CheckedAt"/>).</summary>
internal sealed record LinkSeen(bool Present, string? Anchor, string? Rel, DateTimeOffset CheckedAt);

/// <summary>A channel accepted the URL at <see cref="At"/>.</summary>
internal sealed record Acceptance(string Channel, DateTimeOffset At);

/// <summary>The URL is in a quota grain's queue: since when, and when it asks again if no answer came.</summary>
internal sealed record Queue(string Channel, string QuotaKey, DateTimeOffset LookAgainAt, string Detail);

/// <summary>
/// What every collected backlink carries, whatever its state. The send record survives a user's retry:
/// <see cref="Submissions"/> counts requests made for the URL, <see cref="Sends"/> those that may have reached a
/// channel (accepted or unknown), <see cref="HoldUntil"/> is when a channel may be asked again after an unknown
/// outcome, and <see cref="RecentAnswers"/> are the last answers recorded, as request and outcome (an answer
/// delivered again is a no-op, while a request first recorded as unknown can still be recorded as accepted).
/// <see cref="Waiting"/>: the current step could not be taken and waits (cleared by the next change).
/// </summary>
internal sealed record BacklinkFacts(
    string Tenant,
    string UrlHash,
    string Url,
    string Host,
    string Campaign,
    ImmutableList<string> Campaigns,
    string? TargetUrl,
    string? Anchor,
    string? Note,
    int Priority,
    DateTimeOffset CollectedAt,
    DateTimeOffset UpdatedAt,
    bool Retired,
    int Submissions,
    int Sends = 0,
    DateTimeOffset? HoldUntil = null,
    ImmutableList<string>? RecentAnswers = null,
    Wait? Waiting = null,
    ImmutableList<RouteTarget>? Checkers = null,
    ImmutableList<string>? Withdrawn = null,
    bool PreCheck = false,
    DateTimeOffset? FirstAcceptedAt = null,
    ImmutableList<Acceptance>? Acceptances = null,
    LinkSeen? Link = null)
{
    public const int RememberedAnswers = 16;

    /// <summary>When <paramref name="channel"/> last accepted the URL; null if never.</summary>
    public DateTimeOffset? LastAcceptedBy(string channel) => Acceptances?.LastOrDefault(a => a.Channel == channel)?.At;

    /// <summary>The facts after a channel accepted the URL.</summary>
    public BacklinkFacts Accepted(string channel, DateTimeOffset at) => this with
    {
        FirstAcceptedAt = FirstAcceptedAt ?? at,
        Acceptances = (Acceptances ?? []).Add(new Acceptance(channel, at)),
    };

    /// <summary>The facts after a check was recorded (its request remembered, so a second delivery is a no-op).</summary>
    public BacklinkFacts After(IndexChecked c) => c.CheckId is null ? this : this with { RecentAnswers = Remember(RecentAnswers, AnswerKey(c.CheckId, c.EffectiveVerdict)) };

    public bool Recorded(string? batchId, string? outcome) => batchId is not null && RecentAnswers?.Contains(AnswerKey(batchId, outcome)) == true;

    public static string AnswerKey(string batchId, string? outcome) => $"{batchId}:{outcome}";

    /// <summary>The facts after an attempt was recorded.</summary>
    public BacklinkFacts After(SubmissionAttempted a) => this with
    {
        UpdatedAt = a.At,
        Submissions = Submissions + 1,
        Sends = Sends + (a.CountsAsSend ? 1 : 0),
        HoldUntil = a.HoldUntil ?? HoldUntil,
        RecentAnswers = a.BatchId is null ? RecentAnswers : Remember(RecentAnswers, AnswerKey(a.BatchId, a.Outcome)),
    };

    private static ImmutableList<string> Remember(ImmutableList<string>? answers, string answer)
    {
        var list = (answers ?? []).Add(answer);
        return list.Count > RememberedAnswers ? list.RemoveAt(0) : list;
    }
}

/// <summary>
/// The lifecycle states, a closed hierarchy: None → Collected (routed or not) → Validated → Submitted → Indexed,
/// and Failed(reason). <see cref="Evolve"/> is total: an event that does not fit the state leaves it unchanged
/// (the decider never emits one).
/// </summary>
internal abstract record BacklinkState
{
    public const string CollectedName = "collected";
    public const string ValidatedName = "validated";
    public const string SubmittedName = "submitted";
    public const string IndexedName = "indexed";
    public const string FailedName = "failed";

    public sealed record None : BacklinkState
    {
        public static readonly None Instance = new();
    }

    /// <summary>Collected; <see cref="Targets"/> null until routed.</summary>
    public sealed record Collected(BacklinkFacts Facts, ImmutableList<RouteTarget>? Targets) : BacklinkState
    {
        public ImmutableList<string>? Channels => Targets?.Select(t => t.Channel).ToImmutableList();
    }

    /// <summary>
    /// Validated, waiting for a channel to accept it; <see cref="Targets"/>: the covering channels not yet refused, in
    /// order. <see cref="PreCheckDue"/>: the index is checked first (an indexed URL needs no submission).
    /// </summary>
    public sealed record Validated(BacklinkFacts Facts, ImmutableList<RouteTarget> Targets, Queue? Queued = null, bool PreCheckDue = false) : BacklinkState
    {
        public ImmutableList<string> Channels => [.. Targets.Select(t => t.Channel)];
    }

    /// <summary>
    /// Submitted through <see cref="Channel"/> at <see cref="SubmittedAt"/> (the follow-ups count from there);
    /// <see cref="Withdrawable"/>: that channel withdraws the URL when it is retired. <see cref="FollowUpsDone"/> of the
    /// campaign's follow-ups; <see cref="MissedSince"/>: the first miss not yet confirmed or refuted; <see cref="Requested"/>:
    /// the check due now was asked for by a user (it takes no follow-up's place).
    /// </summary>
    public sealed record Submitted(BacklinkFacts Facts, ImmutableList<RouteTarget> Targets, string Channel, DateTimeOffset? NextCheckAt,
        bool Withdrawable = false, DateTimeOffset SubmittedAt = default, int FollowUpsDone = 0, DateTimeOffset? MissedSince = null,
        bool Requested = false) : BacklinkState
    {
        public ImmutableList<string> Channels => [.. Targets.Select(t => t.Channel)];
    }

    /// <summary>Indexed (through <see cref="Channel"/>; empty when it was indexed before any submission); monitored until the horizon.</summary>
    public sealed record Indexed(BacklinkFacts Facts, string Channel, DateTimeOffset IndexedAt, DateTimeOffset? NextCheckAt,
        bool Withdrawable = false, ImmutableList<RouteTarget>? Targets = null, DateTimeOffset? MissedSince = null) : BacklinkState;

    public sealed record Failed(BacklinkFacts Facts, string Reason, string? Detail) : BacklinkState;

    /// <summary>The facts of any collected state; null for <see cref="None"/>.</summary>
    public BacklinkFacts? FactsOrNull => this switch
    {
        Collected s => s.Facts,
        Validated s => s.Facts,
        Submitted s => s.Facts,
        Indexed s => s.Facts,
        Failed s => s.Facts,
        _ => null,
    };

    public string Name => this switch
    {
        Collected => CollectedName,
        Validated => ValidatedName,
        Submitted => SubmittedName,
        Indexed => IndexedName,
        Failed => FailedName,
        _ => "none",
    };

    public static BacklinkState Evolve(BacklinkState state, IBacklinkEvent e) => (state, e) switch
    {
        (None, BacklinkCollected c) => new Collected(
            new BacklinkFacts(c.Tenant, c.UrlHash, c.Url, c.Host, c.CampaignId, [c.CampaignId], c.TargetUrl, c.Anchor, c.Note,
                c.Priority, c.At, c.At, Retired: false, Submissions: 0),
            Targets: null),
        (None, _) => state,
        (_, BacklinkJoinedCampaign j) => WithFacts(state, f => f.Campaigns.Contains(j.CampaignId) ? f : f with { Campaigns = f.Campaigns.Add(j.CampaignId) }),
        (_, BacklinkWaiting w) => WithFacts(state, f => f with { Waiting = new Wait(w.Step, w.Reason, w.Until, w.Gate) }),
        (Collected s, BacklinkRouted r) => new Collected(Touch(s.Facts, r.At) with { Checkers = r.Checkers is null ? null : [.. r.Checkers], PreCheck = r.PreCheck },
            [.. r.SubmitTargets]),
        (Collected { Targets: { } targets } s, BacklinkValidated v) => new Validated(Touch(s.Facts, v.At), targets,
            PreCheckDue: s.Facts.PreCheck && s.Facts.Checkers is { Count: > 0 }),
        (Collected s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Validated s, SubmissionQueued q) => s with { Facts = Touch(s.Facts, q.At), Queued = new Queue(q.Channel, q.QuotaKey, q.LookAgainAt, q.Detail) },
        (_, SubmissionAttempted a) => WithFacts(state, f => f.After(a) with { Waiting = null }),
        (Validated s, ChannelDropped d) => s with
        {
            Facts = Touch(s.Facts, d.At) with { HoldUntil = null },
            Targets = s.Targets.RemoveAll(t => t.Channel == d.Channel),
            Queued = null,
        },
        (Validated s, BacklinkSubmitted sub) => new Submitted(Touch(s.Facts, sub.At).Accepted(sub.Channel, sub.At), s.Targets, sub.Channel, sub.NextCheckAt,
            sub.Withdrawable, sub.At),
        (Validated s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Validated s, IndexChecked c) => s with { Facts = Touch(s.Facts, c.At).After(c), PreCheckDue = false },
        (Validated s, PreCheckSkipped p) => s with { Facts = Touch(s.Facts, p.At), PreCheckDue = false },
        (Validated s, BacklinkIndexed i) => new Indexed(Touch(s.Facts, i.At), "", i.At, i.NextCheckAt, Targets: s.Targets),
        (Failed { Reason: FailureReasons.OutcomeUnknown } s, BacklinkSubmitted sub) => SubmittedOutOfTurn(s.Facts, null, sub),
        (Collected s, BacklinkSubmitted sub) => SubmittedOutOfTurn(s.Facts, s.Targets, sub),
        (Submitted s, IndexChecked c) => s with
        {
            Facts = Touch(s.Facts, c.At).After(c), NextCheckAt = c.NextCheckAt, FollowUpsDone = c.FollowUpsDone, MissedSince = c.MissedSince,
            Requested = s.Requested && c.Stage == CheckStages.Report, // a channel's report answers no check the user asked for
        },
        (Submitted s, BacklinkIndexed i) => new Indexed(Touch(s.Facts, i.At), s.Channel, i.At, i.NextCheckAt, s.Withdrawable, s.Targets),
        (Submitted s, CheckRequested c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.At, Requested = true },
        (Submitted s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Submitted s, RecoveryStarted r) => Recovering(s.Facts, s.Targets, r),
        (Indexed s, IndexChecked c) => s with { Facts = Touch(s.Facts, c.At).After(c), NextCheckAt = c.NextCheckAt, MissedSince = c.MissedSince },
        (Indexed s, CheckRequested c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.At },
        (Indexed s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Indexed s, RecoveryStarted r) => Recovering(s.Facts, s.Targets ?? [RouteTarget.ForChannel(r.Channel)], r),
        (Failed s, RetryRequested r) => new Collected(Touch(s.Facts, r.At), Targets: null),
        (_, BacklinkRetired r) => WithFacts(state, f => Touch(f, r.At) with { Retired = true }),
        (_, LinkChecked l) => WithFacts(state, f => f with
        {
            Link = l.Reachable ? new LinkSeen(l.Present, l.Anchor, l.Rel, l.At) : (f.Link ?? new LinkSeen(true, null, null, l.At)) with { CheckedAt = l.At },
        }),
        (_, WithdrawalQueued w) => WithFacts(state, f => Touch(f, w.At) with { Withdrawn = (f.Withdrawn ?? []).Add(w.Channel) }),
        _ => state,
    };

    /// <summary>
    /// Accepted by a channel while the stream did not show it waiting for one: the real answer to a request first
    /// recorded unknown, or a hand-over whose drive's events were lost with its silo. The channel has it either way.
    /// </summary>
    private static Submitted SubmittedOutOfTurn(BacklinkFacts facts, ImmutableList<RouteTarget>? targets, BacklinkSubmitted sub) =>
        new(Touch(facts, sub.At).Accepted(sub.Channel, sub.At), targets is { Count: > 0 } ? targets : [RouteTarget.ForChannel(sub.Channel)],
            sub.Channel, sub.NextCheckAt, sub.Withdrawable, sub.At);

    /// <summary>Back to submission through the recovery's channel first, the others after it; not before its hold.</summary>
    private static Validated Recovering(BacklinkFacts facts, ImmutableList<RouteTarget> targets, RecoveryStarted r)
    {
        var first = targets.FirstOrDefault(t => t.Channel == r.Channel) ?? RouteTarget.ForChannel(r.Channel);
        return new Validated(Touch(facts, r.At) with { HoldUntil = r.NotBefore }, [first, .. targets.Where(t => t.Channel != r.Channel)]);
    }

    /// <summary>Any change of the state ends a wait: the step it waited for was taken, or is no longer the next.</summary>
    private static BacklinkFacts Touch(BacklinkFacts facts, DateTimeOffset at) => facts with { UpdatedAt = at, Waiting = null };

    private static BacklinkState WithFacts(BacklinkState state, Func<BacklinkFacts, BacklinkFacts> change) => state switch
    {
        Collected s => s with { Facts = change(s.Facts) },
        Validated s => s with { Facts = change(s.Facts) },
        Submitted s => s with { Facts = change(s.Facts) },
        Indexed s => s with { Facts = change(s.Facts) },
        Failed s => s with { Facts = change(s.Facts) },
        _ => state,
    };
}
