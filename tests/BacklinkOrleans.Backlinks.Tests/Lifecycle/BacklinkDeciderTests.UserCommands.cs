using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    [Fact]
    public void GivenFailed_WhenRetried_ThenItStartsAgainFromRouting()
    {
        var decision = When(Given(Collected(), Routed(), Failed()), new BacklinkCommand.Retry(Now));
        Assert.Equal([typeof(RetryRequested)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Collected>(Given([Collected(), Routed(), Failed(), .. decision.Events]));
        Assert.Null(state.Channels);
    }

    [Fact]
    public void GivenCollected_WhenRetried_ThenRejectedAsNotFailed() =>
        When(Given(Collected()), new BacklinkCommand.Retry(Now)).IsRejected("not-failed");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void GivenAnyCollectedState_WhenRetired_ThenRetired_AndNothingIsDueAnymore(int stage)
    {
        IBacklinkEvent[] life = [Collected(), Routed(), Validated(), Submitted(), Indexed()];
        var state = Given(life[..(stage + 1)]);
        var decision = When(state, new BacklinkCommand.Retire(Now));
        Assert.Equal([typeof(BacklinkRetired)], decision.EventTypes());
        Assert.True(decision.Events.Aggregate(state, BacklinkState.Evolve).FactsOrNull!.Retired);
    }

    [Theory]
    [MemberData(nameof(CommandsAfterRetirement))]
    public void GivenRetired_WhenAnyCommandButCollect_ThenRejectedAsRetired(string name)
    {
        BacklinkCommand command = name switch
        {
            "route" => new BacklinkCommand.RecordRoute(Route("indexnow"), Now),
            "retry" => new BacklinkCommand.Retry(Now),
            "retire" => new BacklinkCommand.Retire(Now),
            "check" => new BacklinkCommand.CheckNow(Now),
            _ => new BacklinkCommand.RecordIndexCheck(new IndexCheckReport("serp", "k", "c1", IndexVerdicts.Indexed, null, ""), BacklinkDeciderTests.Plan, Now),
        };
        When(Given(Collected(), Retired()), command).IsRejected("retired");
    }

    public static TheoryData<string> CommandsAfterRetirement => new() { "route", "retry", "retire", "check", "index-check" };

    [Fact]
    public void GivenNothing_WhenRetired_ThenRejectedAsNotCollected() =>
        When(Given(), new BacklinkCommand.Retire(Now)).IsRejected("not-collected");

    [Fact]
    public void GivenSubmitted_WhenCheckedNow_ThenTheNextCheckIsNow()
    {
        var start = Given(Collected(), Routed(), Validated(), Submitted());
        var decision = When(start, new BacklinkCommand.CheckNow(Now));
        Assert.Equal([typeof(CheckRequested)], decision.EventTypes());
        Assert.Equal(Now, Assert.IsType<BacklinkState.Submitted>(decision.Events.Aggregate(start, BacklinkState.Evolve)).NextCheckAt);
    }

    [Fact]
    public void GivenValidated_WhenCheckedNow_ThenRejected() =>
        When(Given(Collected(), Routed(), Validated()), new BacklinkCommand.CheckNow(Now)).IsRejected("not-submitted");
}
