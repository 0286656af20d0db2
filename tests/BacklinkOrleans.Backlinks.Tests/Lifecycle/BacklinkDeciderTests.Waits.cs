using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

/// <summary>Queueing with a quota grain, waits, and the next step the schedule derives from them.</summary>
public sealed partial class BacklinkDeciderTests
{
    private static readonly RouteTarget Google = new("google", "sa-1", "project-1", "Googlebot");
    private static readonly RouteTarget IndexNow = new("indexnow", "key-1", "guest-blog.example", "bingbot");

    private static BacklinkRouted RoutedTo(params RouteTarget[] targets) =>
        new(Guid.NewGuid(), [.. targets.Select(t => t.Channel)], T0.AddSeconds(1), targets, []);

    [Fact]
    public void GivenRouted_WhenRouted_ThenTheTargetsAreKept_InOrder_WithTheirCredentials()
    {
        var decision = When(Given(Collected()), new BacklinkCommand.RecordRoute(new RouteResult([Google, IndexNow], []), Now));
        var state = Assert.IsType<BacklinkState.Collected>(Given([Collected(), .. decision.Events]));
        Assert.Equal([Google, IndexNow], state.Targets!);
        Assert.Equal(new NextStep(BacklinkSteps.Validate, Now), BacklinkNextStep.Of(state, Now) with { Target = null, WaitingFor = null });
    }

    [Fact]
    public void GivenRouted_WhenValidationCannotDecideYet_ThenItWaits_AndValidatesAgainThen()
    {
        var retryAt = Now.AddMinutes(30);
        var decision = When(Given(Collected(), RoutedTo(IndexNow)),
            new BacklinkCommand.RecordValidation(ValidationVerdict.Later(retryAt, "robots.txt answered 503"), Now));

        var waiting = Assert.IsType<BacklinkWaiting>(Assert.Single(decision.Events));
        Assert.Equal((BacklinkSteps.Validate, retryAt), (waiting.Step, waiting.Until));
        var state = Given([Collected(), RoutedTo(IndexNow), .. decision.Events]);
        Assert.IsType<BacklinkState.Collected>(state);
        var next = BacklinkNextStep.Of(state, Now);
        Assert.Equal((BacklinkSteps.Validate, retryAt, "robots.txt answered 503"), (next.Step, next.DueAt, next.WaitingFor));
        Assert.False(next.IsDue(Now));
        Assert.True(next.IsDue(retryAt));
    }

    [Fact]
    public void GivenValidated_WhenQueuedWithAQuotaGrain_ThenItLooksAgainOnlyWhenTheGrainSaid()
    {
        var lookAgain = Now.AddHours(6);
        var given = new IBacklinkEvent[] { Collected(), RoutedTo(Google, IndexNow), Validated() };

        var decision = When(Given(given), new BacklinkCommand.RecordQueued(Google, new Enqueued(lookAgain, "Google quota spent until midnight Pacific"), Now));

        var queued = Assert.IsType<SubmissionQueued>(Assert.Single(decision.Events));
        Assert.Equal(("google", "project-1", lookAgain), (queued.Channel, queued.QuotaKey, queued.LookAgainAt));
        var next = BacklinkNextStep.Of(Given([.. given, .. decision.Events]), Now);
        Assert.Equal((BacklinkSteps.Submit, lookAgain, Google), (next.Step, next.DueAt, next.Target));
        Assert.Equal("Google quota spent until midnight Pacific", next.WaitingFor);
    }

    [Fact]
    public void GivenValidated_WhenQueuedOnAChannelItWasNotRoutedTo_ThenRejected() =>
        When(Given(Collected(), RoutedTo(IndexNow), Validated()), new BacklinkCommand.RecordQueued(Google, new Enqueued(Now, "x"), Now))
            .IsRejected("not-awaiting-submission");

    [Fact]
    public void GivenFailed_WhenAWaitIsRecorded_ThenRejected_AndNothingIsScheduled()
    {
        var state = Given(Collected(), RoutedTo(IndexNow), Failed());
        When(state, new BacklinkCommand.RecordWait(BacklinkSteps.Validate, "later", Now.AddHours(1), Now)).IsRejected("failed");
        Assert.Equal(NextStep.Nothing, BacklinkNextStep.Of(state, Now));
    }

    [Fact]
    public void GivenAWait_WhenTheStateMovesOn_ThenTheWaitNoLongerDelaysTheNextStep()
    {
        var wait = new BacklinkWaiting(Guid.NewGuid(), BacklinkSteps.Validate, "robots.txt answered 503", T0.AddHours(2), T0.AddSeconds(2));
        var validated = new BacklinkValidated(Guid.NewGuid(), "200 OK", T0.AddHours(2).AddSeconds(1));

        var next = BacklinkNextStep.Of(Given(Collected(), RoutedTo(IndexNow), wait, validated), T0.AddHours(2).AddSeconds(1));

        Assert.Equal((BacklinkSteps.Submit, validated.At, IndexNow), (next.Step, next.DueAt, next.Target));
        Assert.Null(next.WaitingFor);
    }

    [Fact]
    public void GivenARetiredUrl_ThereIsNoNextStep() =>
        Assert.Equal(NextStep.Nothing, BacklinkNextStep.Of(Given(Collected(), RoutedTo(IndexNow), Validated(), Retired()), Now));
}

/// <summary>What the campaign's backlink list (the read model) says of a waiting backlink: the same as its own answer.</summary>
public sealed class WaitingRowTests
{
    [Fact]
    public void GivenASendThatMayHaveBeenReceived_ThenTheListSaysWhatTheUrlWaitsFor_AsItsOwnAnswerDoes()
    {
        var hold = T0.AddDays(1);
        IBacklinkEvent[] history =
        [
            Collected(), Routed("indexnow"), Validated(),
            new SubmissionAttempted(Guid.NewGuid(), "indexnow", "k", null, 0, false, "the connection closed", 30_000, T0.AddMinutes(1),
                Outcome: "unknown", HoldUntil: hold),
        ];
        var row = RowOf(history);

        var next = BacklinkNextStep.Of(Given(history), T0.AddMinutes(2));
        Assert.Equal((BacklinkSteps.Submit, hold), (next.Step, next.DueAt));
        Assert.Equal((hold, next.WaitingFor), (row!.NextActionAt, row.WaitingFor));
        Assert.Contains("indexnow may not take it again before", row.WaitingFor);
    }
}
