using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    private static BacklinkState SubmittedState() => Given(Collected(), Routed(), Validated(), Submitted());

    private static BacklinkCommand.RecordIndexCheck Check(bool indexed, DateTimeOffset? next) =>
        new(new IndexCheckReport(indexed, indexed ? "Submitted and indexed" : "Discovered - currently not indexed", next), Now);

    [Fact]
    public void GivenSubmitted_WhenSeenIndexed_ThenIndexed_AndMonitoringContinues()
    {
        var decision = When(SubmittedState(), Check(true, Now.AddDays(7)));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkIndexed)], decision.EventTypes());
        var indexed = Assert.IsType<BacklinkState.Indexed>(SubmittedState() is var s ? decision.Events.Aggregate(s, BacklinkState.Evolve) : null);
        Assert.Equal(Now.AddDays(7), indexed.NextCheckAt);
    }

    [Fact]
    public void GivenSubmitted_WhenNotIndexedYet_WithChecksLeft_ThenOnlyTheCheckIsRecorded()
    {
        var decision = When(SubmittedState(), Check(false, Now.AddHours(24)));
        Assert.Equal([typeof(IndexChecked)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Submitted>(decision.Events.Aggregate(SubmittedState(), BacklinkState.Evolve));
        Assert.Equal(Now.AddHours(24), state.NextCheckAt);
    }

    [Fact]
    public void GivenSubmitted_WhenNotIndexedAtTheLastCheck_ThenItFailsNotIndexed()
    {
        var decision = When(SubmittedState(), Check(false, null));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkFailed)], decision.EventTypes());
        Assert.Equal(FailureReasons.NotIndexed, Assert.IsType<BacklinkFailed>(decision.Events[1]).Reason);
    }

    [Fact]
    public void GivenIndexed_WhenStillIndexed_ThenOnlyTheCheckIsRecorded() =>
        Assert.Equal([typeof(IndexChecked)], When(Given(Collected(), Routed(), Validated(), Submitted(), Indexed()), Check(true, Now.AddDays(7))).EventTypes());

    [Fact]
    public void GivenIndexed_WhenNoLongerIndexed_ThenItFailsAsDroppedOut()
    {
        var decision = When(Given(Collected(), Routed(), Validated(), Submitted(), Indexed()), Check(false, Now.AddDays(7)));
        Assert.Equal(FailureReasons.DroppedOut, Assert.IsType<BacklinkFailed>(decision.Events[1]).Reason);
    }

    [Fact]
    public void GivenValidated_WhenAnIndexCheckIsReported_ThenRejected() =>
        When(Given(Collected(), Routed(), Validated()), Check(true, null)).IsRejected("not-submitted");
}
