using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    [Fact]
    public void GivenCollected_WhenRoutedToChannels_ThenRouted_InPreferenceOrder()
    {
        var decision = When(Given(Collected()), new BacklinkCommand.RecordRoute(Route("google", "indexnow"), Now));
        Assert.Equal(["google", "indexnow"], Assert.IsType<BacklinkRouted>(Assert.Single(decision.Events)).Channels);
        Assert.Equal(["google", "indexnow"], Assert.IsType<BacklinkState.Collected>(Given([Collected(), .. decision.Events])).Channels!);
    }

    [Fact]
    public void GivenCollected_WhenNoChannelCoversIt_ThenItFailsWithNoChannel()
    {
        var decision = When(Given(Collected()), new BacklinkCommand.RecordRoute(Route(), Now));
        Assert.Equal([typeof(BacklinkRouted), typeof(BacklinkFailed)], decision.EventTypes());
        var failed = Assert.IsType<BacklinkState.Failed>(Given([Collected(), .. decision.Events]));
        Assert.Equal(FailureReasons.NoChannel, failed.Reason);
    }

    [Fact]
    public void GivenRouted_WhenRoutedAgain_ThenRejected() =>
        When(Given(Collected(), Routed()), new BacklinkCommand.RecordRoute(Route("vendor"), Now)).IsRejected("not-awaiting-route");

    [Fact]
    public void GivenNothing_WhenRouted_ThenRejectedAsNotCollected() =>
        When(Given(), new BacklinkCommand.RecordRoute(Route("indexnow"), Now)).IsRejected("not-collected");
}
