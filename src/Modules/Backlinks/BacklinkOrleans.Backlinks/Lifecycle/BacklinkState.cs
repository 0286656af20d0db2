using System.Collections.Immutable;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>
/// What every collected backlink carries, whatever its state. The send record survives a user's retry:
/// <see cref="Submissions"/> counts requests made for the URL, <see cref="Sends"/> those that may have reached a
/// channel (accepted or unknown), <see cref="HoldUntil"/> is when a channel may be asked again after an unknown
/// outcome, and <see cref="RecentAnswers"/> are the last answers recorded, as request and outcome (an answer
/// delivered again is a no-op, while a request first recorded as unknown can still be recorded as accepted).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-facts")]
internal sealed record BacklinkFacts(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string UrlHash,
    [property: Id(2)] string Url,
    [property: Id(3)] string Host,
    [property: Id(4)] string Campaign,
    [property: Id(5)] ImmutableList<string> Campaigns,
    [property: Id(6)] string? TargetUrl,
    [property: Id(7)] string? Anchor,
    [property: Id(8)] string? Note,
    [property: Id(9)] int Priority,
    [property: Id(10)] DateTimeOffset CollectedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] bool Retired,
    [property: Id(13)] int Submissions,
    [property: Id(14)] int Sends = 0,
    [property: Id(15)] DateTimeOffset? HoldUntil = null,
    [property: Id(16)] ImmutableList<string>? RecentAnswers = null)
{
    public const int RememberedAnswers = 16;

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
/// (the decider never emits one; Orleans would swallow an exception here and diverge silently).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state")]
internal abstract record BacklinkState
{
    public const string CollectedName = "collected";
    public const string ValidatedName = "validated";
    public const string SubmittedName = "submitted";
    public const string IndexedName = "indexed";
    public const string FailedName = "failed";

    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.none")]
    public sealed record None : BacklinkState
    {
        public static readonly None Instance = new();
    }

    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.collected")]
    public sealed record Collected([property: Id(0)] BacklinkFacts Facts, [property: Id(1)] ImmutableList<string>? Channels) : BacklinkState;

    /// <summary>Validated, waiting for a channel to accept it; <see cref="Channels"/>: the covering channels not yet refused.</summary>
    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.validated")]
    public sealed record Validated([property: Id(0)] BacklinkFacts Facts, [property: Id(1)] ImmutableList<string> Channels) : BacklinkState;

    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.submitted")]
    public sealed record Submitted(
        [property: Id(0)] BacklinkFacts Facts, [property: Id(1)] ImmutableList<string> Channels,
        [property: Id(2)] string Channel, [property: Id(3)] DateTimeOffset? NextCheckAt) : BacklinkState;

    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.indexed")]
    public sealed record Indexed(
        [property: Id(0)] BacklinkFacts Facts, [property: Id(1)] string Channel,
        [property: Id(2)] DateTimeOffset IndexedAt, [property: Id(3)] DateTimeOffset? NextCheckAt) : BacklinkState;

    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.failed")]
    public sealed record Failed([property: Id(0)] BacklinkFacts Facts, [property: Id(1)] string Reason, [property: Id(2)] string? Detail) : BacklinkState;

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
            Channels: null),
        (None, _) => state,
        (_, BacklinkJoinedCampaign j) => WithFacts(state, f => f.Campaigns.Contains(j.CampaignId) ? f : f with { Campaigns = f.Campaigns.Add(j.CampaignId) }),
        (Collected s, BacklinkRouted r) => new Collected(Touch(s.Facts, r.At), [.. r.Channels]),
        (Collected { Channels: { } channels } s, BacklinkValidated v) => new Validated(Touch(s.Facts, v.At), channels),
        (Collected s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (_, SubmissionAttempted a) => WithFacts(state, f => f.After(a)),
        (Validated s, ChannelDropped d) => s with { Facts = Touch(s.Facts, d.At) with { HoldUntil = null }, Channels = s.Channels.Remove(d.Channel) },
        (Validated s, BacklinkSubmitted sub) => new Submitted(Touch(s.Facts, sub.At), s.Channels, sub.Channel, sub.NextCheckAt),
        (Validated s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Failed { Reason: FailureReasons.OutcomeUnknown } s, BacklinkSubmitted sub) => new Submitted(Touch(s.Facts, sub.At), [sub.Channel], sub.Channel, sub.NextCheckAt),
        (Submitted s, IndexChecked c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.NextCheckAt },
        (Submitted s, BacklinkIndexed i) => new Indexed(Touch(s.Facts, i.At), s.Channel, i.At, i.NextCheckAt),
        (Submitted s, CheckRequested c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.At },
        (Submitted s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Indexed s, IndexChecked c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.NextCheckAt },
        (Indexed s, CheckRequested c) => s with { Facts = Touch(s.Facts, c.At), NextCheckAt = c.At },
        (Indexed s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
        (Failed s, RetryRequested r) => new Collected(Touch(s.Facts, r.At), Channels: null),
        (_, BacklinkRetired r) => WithFacts(state, f => Touch(f, r.At) with { Retired = true }),
        _ => state,
    };

    private static BacklinkFacts Touch(BacklinkFacts facts, DateTimeOffset at) => facts with { UpdatedAt = at };

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
