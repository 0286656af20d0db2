using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    private const string Target = "https://client.example/product";

    private static BacklinkState SubmittedWithTarget() =>
        Given(Collected() with { TargetUrl = Target }, Routed(), Validated(), Submitted());

    private static BacklinkCommand.RecordLinkCheck Link(bool present, string? rel = "", DateTimeOffset? at = null, bool reachable = true) =>
        new(new LinkObservation(reachable, present, present ? "best product" : null, present ? rel : null, "GET … → 200"), at ?? Accepted.AddHours(1));

    [Fact]
    public void GivenASubmittedBacklinkWithATarget_ItsLinkIsLookedAtWhenACheckFallsDue_OnceForThatCheck()
    {
        var state = SubmittedWithTarget();
        Assert.True(LinkRot.Due(state));
        var (seen, decision) = Step(state, Link(present: true));
        Assert.Equal([typeof(LinkChecked)], decision.EventTypes()); // as validated: no change
        Assert.False(LinkRot.Due(seen));
        Assert.False(LinkRot.Due(SubmittedState())); // no target: nothing to look for
    }

    [Fact]
    public void ALinkRemoved_IsLinkMissing_AndItsReturn_LinkRestored()
    {
        var (gone, missing) = Step(SubmittedWithTarget(), Link(present: false));
        Assert.Equal([typeof(LinkChecked), typeof(LinkMissing)], missing.EventTypes());
        Assert.IsType<BacklinkState.Submitted>(gone); // not a failure: counted and shown
        var (back, restored) = Step(gone, Link(present: true, at: Accepted.AddHours(24)));
        Assert.Equal([typeof(LinkChecked), typeof(LinkRestored)], restored.EventTypes());
        Assert.True(back.FactsOrNull!.Link!.Present);
    }

    [Fact]
    public void ARelThatChanges_IsLinkRelChanged_AndAnUnreadablePageChangesNothing()
    {
        var (seen, _) = Step(SubmittedWithTarget(), Link(present: true, rel: ""));
        var (_, changed) = Step(seen, Link(present: true, rel: "nofollow sponsored", at: Accepted.AddHours(24)));
        var rel = Assert.IsType<LinkRelChanged>(changed.Events[1]);
        Assert.Equal(("", "nofollow sponsored"), (rel.From, rel.To));

        var (unread, nothing) = Step(seen, Link(present: false, reachable: false, at: Accepted.AddHours(24)));
        Assert.Equal([typeof(LinkChecked)], nothing.EventTypes());
        Assert.True(unread.FactsOrNull!.Link!.Present);
    }

    [Fact]
    public void BeforeSubmission_TheLinkIsNotChecked() =>
        When(Given(Collected() with { TargetUrl = Target }, Routed(), Validated()), Link(present: true)).IsRejected("not-monitored");
}
