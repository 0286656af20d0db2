using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);

    [Fact]
    public void GivenNothing_WhenCollect_ThenCollectedWithItsCampaign()
    {
        var decision = When(Given(), Collect("c1"));
        var collected = Assert.IsType<BacklinkCollected>(Assert.Single(decision.Events));
        Assert.Equal(("acme", Hash, "c1"), (collected.Tenant, collected.UrlHash, collected.CampaignId));
        var state = Assert.IsType<BacklinkState.Collected>(Given(collected));
        Assert.Null(state.Channels);
    }

    [Fact]
    public void GivenCollectedInACampaign_WhenCollectedIntoItAgain_ThenNothingHappens() =>
        Assert.Empty(When(Given(Collected("c1")), Collect("c1")).EventTypes());

    [Fact]
    public void GivenCollected_WhenCollectedIntoAnotherCampaign_ThenItJoinsIt_AndTheFirstStillGoverns()
    {
        var decision = When(Given(Collected("c1"), Routed()), Collect("c2"));
        Assert.Equal([typeof(BacklinkJoinedCampaign)], decision.EventTypes());
        var facts = Given([Collected("c1"), Routed(), .. decision.Events]).FactsOrNull!;
        Assert.Equal("c1", facts.Campaign);
        Assert.Equal(["c1", "c2"], facts.Campaigns);
        Assert.IsType<BacklinkState.Collected>(Given([Collected("c1"), Routed(), .. decision.Events]));
    }

    [Fact]
    public void GivenRetired_WhenCollectedIntoAnotherCampaign_ThenMembershipIsStillRecorded() =>
        Assert.Equal([typeof(BacklinkJoinedCampaign)], When(Given(Collected(), Retired()), Collect("c2")).EventTypes());
}
