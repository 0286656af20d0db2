using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>What one credential of one channel did for a URL: requests, acceptances, refusals.</summary>
internal sealed record ChannelUse(string Channel, string Fingerprint, int Attempts, int Accepted, int Refused);

/// <summary>
/// What the reports need to know of one backlink, folded from its events (<see cref="Apply"/>, pure): where it got to
/// in the funnel (<see cref="Furthest"/>), where it is (<see cref="State"/>), why and at which step it failed, how long
/// indexing took, which channel did it, the checks, link-rot and what it cost. A replay of the stream gives the same
/// facts; the audit compares them with the stored ones.
/// </summary>
internal sealed record ReportFacts(
    string Tenant, string UrlHash, string Url, string Host, string FirstCampaign, IReadOnlyList<string> Campaigns, DateTimeOffset CollectedAt,
    string State, string Furthest, string? FailedReason, string? FailedStep, bool Retired,
    DateTimeOffset? FirstAcceptedAt, DateTimeOffset? IndexedAt, long? TimeToIndexSeconds, bool AlreadyIndexed, string? LastAcceptedChannel, string? IndexedChannel,
    int Checks, int DroppedOut, int LinkMissing, bool LinkLost, long CostMicros, IReadOnlyList<ChannelUse> Channels)
{
    public const string Collected = "collected";
    public const string Validated = "validated";
    public const string Submitted = "submitted";
    public const string Indexed = "indexed";
    public const string Failed = "failed";

    /// <summary>The funnel's steps, in order.</summary>
    public static readonly IReadOnlyList<string> Steps = [Collected, Validated, Submitted, Indexed];

    /// <summary>The place of <paramref name="step"/> in <see cref="Steps"/> (−1: not a step).</summary>
    public static int Rank(string step) => step switch { Collected => 0, Validated => 1, Submitted => 2, Indexed => 3, _ => -1 };

    /// <summary>Still on its way: not indexed, not failed, not retired.</summary>
    public bool Open => !Retired && State is not (Indexed or Failed);

    /// <summary>
    /// Folds one event. Null facts take only the first event (<see cref="BacklinkCollected"/>). Events that change nothing
    /// a report shows (routing, waits, queueing) leave the facts equal, so the read model is not rewritten for them.
    /// </summary>
    public static ReportFacts? Apply(ReportFacts? facts, IBacklinkEvent e)
    {
        if (facts is null)
            return e is BacklinkCollected c
                ? new ReportFacts(c.Tenant, c.UrlHash, c.Url, c.Host, c.CampaignId, [c.CampaignId], c.At, Collected, Collected, null, null, false,
                    null, null, null, false, null, null, 0, 0, 0, false, 0, [])
                : null;
        var next = facts;
        return e switch
        {
            BacklinkJoinedCampaign j when !facts.Campaigns.Contains(j.CampaignId) => next with { Campaigns = [.. facts.Campaigns, j.CampaignId] },
            BacklinkValidated => next.Reach(Validated) with { FailedReason = null, FailedStep = null },
            BacklinkFailed f => next with { State = Failed, FailedReason = f.Reason, FailedStep = facts.State == Failed ? facts.FailedStep : facts.State },
            SubmissionAttempted { Withdrawal: false } a => Attempted(next, a),
            BacklinkSubmitted => next.Reach(Submitted) with { FailedReason = null, FailedStep = null }, // a late acceptance of a URL failed outcome-unknown
            IndexChecked c => next with { Checks = facts.Checks + 1, CostMicros = facts.CostMicros + Micros(c.Cost) },
            BacklinkIndexed i => next.Reach(Indexed) with
            {
                FailedReason = null, FailedStep = null,
                IndexedAt = facts.IndexedAt ?? i.At,
                AlreadyIndexed = facts.IndexedAt is null ? i.AlreadyIndexed : facts.AlreadyIndexed,
                TimeToIndexSeconds = facts.IndexedAt is null ? (long?)i.TimeToIndex?.TotalSeconds : facts.TimeToIndexSeconds,
                IndexedChannel = facts.IndexedAt is null ? (i.AlreadyIndexed ? null : facts.LastAcceptedChannel) : facts.IndexedChannel,
            },
            RecoveryStarted r => next with { State = Validated, DroppedOut = facts.DroppedOut + (r.Reason == FailureReasons.DroppedOut ? 1 : 0) },
            RetryRequested => next with { State = Collected, FailedReason = null, FailedStep = null },
            BacklinkRetired => next with { Retired = true },
            Backlinks.Contracts.LinkMissing => next with { LinkLost = true, LinkMissing = facts.LinkMissing + 1 },
            LinkRestored => next with { LinkLost = false },
            _ => facts,
        };
    }

    private ReportFacts Reach(string state) =>
        this with { State = state, Furthest = Rank(state) > Rank(Furthest) ? state : Furthest };

    private static ReportFacts Attempted(ReportFacts facts, SubmissionAttempted a)
    {
        var refused = !a.Accepted && a.Outcome == SubmissionOutcomes.Refused;
        var index = facts.Channels.ToList().FindIndex(u => u.Channel == a.Channel && u.Fingerprint == a.CredentialFingerprint);
        var use = index < 0 ? new ChannelUse(a.Channel, a.CredentialFingerprint, 0, 0, 0) : facts.Channels[index];
        use = use with { Attempts = use.Attempts + 1, Accepted = use.Accepted + (a.Accepted ? 1 : 0), Refused = use.Refused + (refused ? 1 : 0) };
        var channels = facts.Channels.ToList();
        if (index < 0)
            channels.Add(use);
        else
            channels[index] = use;
        return facts with
        {
            Channels = channels,
            FirstAcceptedAt = a.Accepted ? facts.FirstAcceptedAt ?? a.At : facts.FirstAcceptedAt,
            LastAcceptedChannel = a.Accepted ? a.Channel : facts.LastAcceptedChannel,
            CostMicros = facts.CostMicros + (a.Accepted ? Micros(a.Cost) : 0),
        };
    }

    private static long Micros(decimal? cost) => cost is { } c ? CostKinds.ToMicros(c) : 0;
}
