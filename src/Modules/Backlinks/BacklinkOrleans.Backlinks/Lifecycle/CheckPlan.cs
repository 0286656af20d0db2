using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>
/// What the campaign says about index checks, as the decider needs it: the follow-ups after an accepted submission,
/// how often an indexed URL is checked again and until when, and how many re-submissions recovery may make.
/// </summary>
internal sealed record CheckPlan(IReadOnlyList<TimeSpan> FollowUps, TimeSpan MonitorEvery, TimeSpan Horizon, int RecoveryLimit)
{
    /// <summary>A miss (or a "not indexed" of an indexed URL) is confirmed by a second one at least this much later.</summary>
    public static readonly TimeSpan ConfirmAfter = TimeSpan.FromHours(1);

    /// <summary>A channel takes a URL at most once in this long.</summary>
    public static readonly TimeSpan ChannelRepeat = TimeSpan.FromHours(24);

    /// <summary>After the last follow-up, when the checks could not tell: the next try.</summary>
    public static readonly TimeSpan InconclusiveRetry = TimeSpan.FromHours(24);

    public static CheckPlan Of(CampaignSettings campaign) =>
        new(campaign.FollowUpSchedule, campaign.MonitorInterval, campaign.MonitoringHorizon, Math.Max(0, campaign.RecoveryLimit));

    /// <summary>How many sends (accepted or outcome unknown) a URL may have in all.</summary>
    public int SendLimit => 1 + RecoveryLimit;
}
