using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>
/// The submit port: hands a validated URL to the quota grain of its target (channel, credential, quota). The grain
/// answers when to look again; the channel's answer reaches the backlink later, from the grain's timer.
/// </summary>
internal sealed class ChannelSubmissionPort(IGrainFactory grains, ChannelRegistry channels, ChannelRouter router, TimeProvider time) : ISubmissionPort
{
    /// <summary>When a campaign sets no follow-up schedule, the first index check comes this long after acceptance.</summary>
    private static readonly TimeSpan DefaultFirstCheck = TimeSpan.FromHours(1);

    public Task<Enqueued?> EnqueueAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken) =>
        channels.Find(target.Channel) is { Descriptor.Purpose: ChannelPurpose.Submit }
            ? HandOverAsync(backlink, target, withdraw: false, cancellationToken)
            : Task.FromResult<Enqueued?>(null); // no channel of this build sends there: the URL waits as for an unbound port

    /// <summary>A retired URL the channel accepted goes back to that channel's quota grain, to be withdrawn (it spends the same quota).</summary>
    public Task<Enqueued?> WithdrawAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken) =>
        channels.Find(target.Channel) is { Descriptor: { Purpose: ChannelPurpose.Submit, Withdraws: true } }
            ? HandOverAsync(backlink, target, withdraw: true, cancellationToken)
            : Task.FromResult<Enqueued?>(null);

    private async Task<Enqueued?> HandOverAsync(BacklinkSnapshot backlink, RouteTarget target, bool withdraw, CancellationToken cancellationToken)
    {
        if (target.QuotaKey.Length == 0 && await router.TargetAsync(backlink, target.Channel, cancellationToken) is { } resolved)
            target = resolved; // routed before targets were recorded
        if (target.QuotaKey.Length == 0)
            return null;
        var firstCheck = backlink.Campaign.FollowUpSchedule.Count > 0 ? backlink.Campaign.FollowUpSchedule[0] : DefaultFirstCheck;
        var item = new LaneItem(backlink.UrlHash, backlink.Url, target.CredentialId, backlink.Priority, backlink.Campaign.Priority, firstCheck,
            backlink.CampaignId, time.GetUtcNow(), withdraw);
        return await grains.Reference<IChannelQuotaGrain>(QuotaGrainKeys.Of(backlink.Tenant, target.Channel, target.QuotaKey)).EnqueueAsync(item);
    }
}
