using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>
/// The check port: hands a URL to the quota grain of the first index-status provider that covers it now (the
/// tenant's credentials may have changed since it was routed, so the providers are looked up again at each check, from
/// the cached coverage index). The provider's verdict reaches the backlink later, from the grain's timer. None covers
/// it: the answer says so, and when to look again (a provider may be added meanwhile).
/// </summary>
internal sealed class ChannelIndexCheckPort(IGrainFactory grains, ChannelRouter router, TimeProvider time) : IIndexCheckPort
{
    public const string Uncovered = "no index checker covers this URL";

    /// <summary>How long a URL no provider covers waits before it asks again.</summary>
    public static readonly TimeSpan UncoveredRetry = TimeSpan.FromHours(24);

    public async Task<Enqueued?> EnqueueCheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var route = await router.RouteAsync(backlink, cancellationToken);
        var checkers = route?.Check is { Count: > 0 } fast ? fast : route?.SlowCheck ?? [];
        if (checkers.Count == 0)
            return new Enqueued(now + UncoveredRetry, $"{Uncovered} (add a SERP API key or a Search Console property); looking again at {now + UncoveredRetry:u}",
                Uncovered: true);
        var target = checkers[0];
        var item = new LaneItem(backlink.UrlHash, backlink.Url, target.CredentialId, backlink.Priority, backlink.Campaign.Priority, TimeSpan.Zero,
            backlink.CampaignId, now);
        return await grains.Reference<IChannelQuotaGrain>(QuotaGrainKeys.Of(backlink.Tenant, target.Channel, target.QuotaKey)).EnqueueAsync(item);
    }
}
