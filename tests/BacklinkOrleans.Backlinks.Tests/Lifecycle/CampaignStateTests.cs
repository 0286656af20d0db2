using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Grains;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed class CampaignStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly CampaignSettings Settings = new("q4", "acme", ["indexnow"], 1, [TimeSpan.FromHours(1)], TimeSpan.FromDays(30), 50);

    [Fact]
    public void QueuedSitemaps_SurvivePauseResumeAndCancel_UntilImported()
    {
        ICampaignEvent[] history =
        [
            new CampaignCreated(Guid.NewGuid(), "acme", "c1", Settings, T0),
            new SitemapQueued(Guid.NewGuid(), "https://e.example/s1.xml", T0),
            new SitemapQueued(Guid.NewGuid(), "https://e.example/s2.xml", T0),
            new CampaignPaused(Guid.NewGuid(), T0),
            new CampaignResumed(Guid.NewGuid(), T0),
            new SitemapImported(Guid.NewGuid(), "https://e.example/s1.xml", 3, 3, 0, 0, null, T0),
            new CampaignCancelled(Guid.NewGuid(), T0),
        ];

        var state = history.Aggregate(CampaignState.None, CampaignState.Evolve);

        Assert.Equal(["https://e.example/s2.xml"], state.Pending);
        Assert.Equal(CampaignStatuses.Cancelled, state.Info!.Status);
    }
}
