using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission;

/// <summary>
/// The submit port: hands a validated URL to the quota grain of the first channel, in the campaign's preference
/// order among those that cover it, that this build can send to (IndexNow; Google and the vendor follow). The grain
/// answers when to look again; the channel's answer reaches the backlink later, from the grain's timer.
/// </summary>
internal sealed class ChannelSubmissionPort(IGrainFactory grains, TimeProvider time) : ISubmissionPort
{
    /// <summary>The channels this build submits through.</summary>
    public static readonly IReadOnlyList<string> Channels = [CredentialKinds.IndexNow];

    /// <summary>When a campaign sets no follow-up schedule, the first index check comes this long after acceptance.</summary>
    private static readonly TimeSpan DefaultFirstCheck = TimeSpan.FromHours(1);

    public async Task<DateTimeOffset?> EnqueueAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var channel = backlink.Channels?.FirstOrDefault(Channels.Contains);
        if (channel is null)
            return null; // no channel of this build covers it: it waits as for an unbound port
        var firstCheck = backlink.Campaign.FollowUpSchedule.Count > 0 ? backlink.Campaign.FollowUpSchedule[0] : DefaultFirstCheck;
        return await grains.GetGrain<IIndexNowKeyGrain>(IndexNowKeys.GrainKey(backlink.Tenant, backlink.Host))
            .EnqueueAsync(new QueuedUrl(backlink.UrlHash, backlink.Url, backlink.Priority, firstCheck, time.GetUtcNow()));
    }
}
