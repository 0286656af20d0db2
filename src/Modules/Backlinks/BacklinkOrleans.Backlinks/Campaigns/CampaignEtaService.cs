using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Grains;
using BacklinkOrleans.Backlinks.ReadModels;

namespace BacklinkOrleans.Backlinks.Campaigns;

/// <summary>A campaign's completion estimate, gathered when asked: its counters, its drip-feed's pace, its channels' capacity.</summary>
internal sealed class CampaignEtaService(BacklinkQueries queries, IGrainFactory grains, ICapacityPort capacity, TimeProvider time)
{
    public async Task<CompletionEta?> EstimateAsync(string tenant, string campaignId, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<ICampaignGrain>($"{tenant}/{campaignId}").GetAsync() is not { } campaign
            || await queries.GetCampaignAsync(tenant, campaignId, cancellationToken) is not { } view)
            return null;
        var remaining = view.Counters.Where(c => c.State is "collected" or "validated").Sum(c => c.Count);
        var drip = campaign.Settings.DripDays is null ? null : await grains.GetGrain<IDripGrain>($"{tenant}/{campaignId}").PaceAsync();
        var channels = remaining == 0 || drip is not null ? [] : await capacity.CapacityAsync(tenant, campaign.Settings.ChannelPreference, cancellationToken);
        return CompletionEstimate.Of(remaining, null, drip, channels, campaign.Settings.FollowUpSchedule, time.GetUtcNow());
    }
}
