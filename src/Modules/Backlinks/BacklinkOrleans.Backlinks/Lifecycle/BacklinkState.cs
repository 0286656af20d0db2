using System.Collections.Immutable;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>What every collected backlink carries, whatever its state.</summary>
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
    [property: Id(13)] int Submissions);

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

    /// <summary>
    /// Validated, waiting for a channel to accept it. <see cref="Channels"/>: the covering channels not yet refused;
    /// <see cref="HoldUntil"/>: no submission before (an outcome-unknown send); <see cref="Sends"/>: sends that may
    /// have reached a channel; <see cref="RecentBatches"/>: the last answers recorded, as request and outcome (an answer
    /// delivered again is a no-op, while a request first recorded as unknown can still be recorded as accepted).
    /// </summary>
    [GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-state.validated")]
    public sealed record Validated(
        [property: Id(0)] BacklinkFacts Facts, [property: Id(1)] ImmutableList<string> Channels,
        [property: Id(2)] DateTimeOffset? HoldUntil = null, [property: Id(3)] int Sends = 0,
        [property: Id(4)] ImmutableList<string>? RecentBatches = null) : BacklinkState
    {
        public const int RememberedBatches = 16;

        public bool Recorded(string? batchId, string? outcome) => batchId is not null && RecentBatches?.Contains(AnswerKey(batchId, outcome)) == true;

        public static string AnswerKey(string batchId, string? outcome) => $"{batchId}:{outcome}";
    }

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
        (Validated s, SubmissionAttempted a) => s with
        {
            Facts = Touch(s.Facts, a.At) with { Submissions = s.Facts.Submissions + 1 },
            HoldUntil = a.HoldUntil ?? s.HoldUntil,
            Sends = s.Sends + (a.CountsAsSend ? 1 : 0),
            RecentBatches = a.BatchId is null ? s.RecentBatches : Remember(s.RecentBatches, Validated.AnswerKey(a.BatchId, a.Outcome)),
        },
        (Validated s, ChannelDropped d) => s with { Facts = Touch(s.Facts, d.At), Channels = s.Channels.Remove(d.Channel), HoldUntil = null },
        (Validated s, BacklinkSubmitted sub) => new Submitted(Touch(s.Facts, sub.At), s.Channels, sub.Channel, sub.NextCheckAt),
        (Validated s, BacklinkFailed f) => new Failed(Touch(s.Facts, f.At), f.Reason, f.Detail),
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

    private static ImmutableList<string> Remember(ImmutableList<string>? batches, string batchId)
    {
        var list = (batches ?? []).Add(batchId);
        return list.Count > Validated.RememberedBatches ? list.RemoveAt(0) : list;
    }

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
