using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    /// <summary>The default schedule: follow-ups at +1 h, +24 h, +7 d; indexed URLs every 30 days for 180 days; one recovery.</summary>
    internal static readonly CheckPlan Plan = new([TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromDays(7)], TimeSpan.FromDays(30),
        TimeSpan.FromDays(180), 1);

    private static readonly DateTimeOffset Accepted = Submitted().At;

    private static BacklinkState SubmittedState(params string[] channels) => Given(Collected(), Routed(channels), Validated(), Submitted());

    private static int checks;

    private static BacklinkCommand.RecordIndexCheck Check(string verdict, DateTimeOffset at, string? reason = null, CheckPlan? plan = null) =>
        new(new IndexCheckReport("serp", "key:1234", $"check-{Interlocked.Increment(ref checks)}", verdict, reason,
            verdict == IndexVerdicts.Indexed ? "found at position 1" : "not among 3 results"), plan ?? Plan, at);

    /// <summary>Applies the decision to the state, as the grain does.</summary>
    private static BacklinkState Then(BacklinkState state, Decision decision) => decision.Events.Aggregate(state, BacklinkState.Evolve);

    private static (BacklinkState State, Decision Decision) Step(BacklinkState state, BacklinkCommand command)
    {
        var decision = When(state, command);
        Assert.Null(decision.Rejection);
        return (Then(state, decision), decision);
    }

    [Fact]
    public void GivenSubmitted_WhenSeenIndexedAtTheFirstFollowUp_ThenIndexed_WithItsTimeToIndex_AndMonitoredEvery30Days()
    {
        var (state, decision) = Step(SubmittedState(), Check(IndexVerdicts.Indexed, Accepted.AddHours(1)));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkIndexed)], decision.EventTypes());
        Assert.Equal(TimeSpan.FromHours(1), Assert.IsType<BacklinkIndexed>(decision.Events[1]).TimeToIndex);
        var indexed = Assert.IsType<BacklinkState.Indexed>(state);
        Assert.Equal(Accepted.AddHours(1).AddDays(30), indexed.NextCheckAt);
        var check = Assert.IsType<IndexChecked>(decision.Events[0]);
        Assert.Equal(("serp", "key:1234", IndexVerdicts.Indexed, CheckStages.FollowUp), (check.Checker, check.Fingerprint, check.Verdict, check.Stage));
    }

    [Fact]
    public void GivenSubmitted_WhenNotIndexed_ThenTheNextFollowUpIsCountedFromTheSubmission()
    {
        var (state, _) = Step(SubmittedState(), Check(IndexVerdicts.NotIndexed, Accepted.AddHours(1).AddMinutes(3)));
        Assert.Equal(Accepted.AddHours(24), Assert.IsType<BacklinkState.Submitted>(state).NextCheckAt);
        (state, _) = Step(state, Check(IndexVerdicts.NotIndexed, Accepted.AddHours(24)));
        Assert.Equal(Accepted.AddDays(7), Assert.IsType<BacklinkState.Submitted>(state).NextCheckAt);
    }

    [Fact]
    public void ACheckAUserAskedFor_TakesNoFollowUpsPlace()
    {
        var (requested, _) = Step(SubmittedState(), new BacklinkCommand.CheckNow(Accepted.AddMinutes(10)));
        var (state, decision) = Step(requested, Check(IndexVerdicts.NotIndexed, Accepted.AddMinutes(10)));
        var check = Assert.IsType<IndexChecked>(Assert.Single(decision.Events));
        Assert.Equal((CheckStages.Requested, 0), (check.Stage, check.FollowUpsDone));
        Assert.Equal(Accepted.AddHours(1), Assert.IsType<BacklinkState.Submitted>(state).NextCheckAt); // the first follow-up, as planned
        var (after, _) = Step(state, Check(IndexVerdicts.NotIndexed, Accepted.AddHours(1)));
        Assert.Equal((1, Accepted.AddHours(24)), (((BacklinkState.Submitted)after).FollowUpsDone, ((BacklinkState.Submitted)after).NextCheckAt));
    }

    [Fact]
    public void GivenSubmitted_WhenMissedOnce_ThenItIsNotConcluded_AndASecondMissAnHourLaterConfirmsIt()
    {
        var (state, first) = Step(SubmittedState(), Check(IndexVerdicts.Missed, Accepted.AddHours(1)));
        var submitted = Assert.IsType<BacklinkState.Submitted>(state);
        Assert.Equal((Accepted.AddHours(1), Accepted.AddHours(24)), (submitted.MissedSince, submitted.NextCheckAt));
        Assert.Equal([typeof(IndexChecked)], first.EventTypes());

        (state, _) = Step(state, Check(IndexVerdicts.Missed, Accepted.AddHours(24)));
        (state, var last) = Step(state, Check(IndexVerdicts.Missed, Accepted.AddDays(7)));
        Assert.Equal([typeof(IndexChecked), typeof(RecoveryStarted)], last.EventTypes());
    }

    [Fact]
    public void GivenSubmitted_WhenTheOnlyMissIsAtTheLastFollowUp_ThenAConfirmingCheckComesAnHourLater_NotRecovery()
    {
        var state = SubmittedState();
        (state, _) = Step(state, Check(IndexVerdicts.Unknown, Accepted.AddHours(1)));
        (state, _) = Step(state, Check(IndexVerdicts.Unknown, Accepted.AddHours(24)));
        (state, var miss) = Step(state, Check(IndexVerdicts.Missed, Accepted.AddDays(7)));
        Assert.Equal([typeof(IndexChecked)], miss.EventTypes());
        Assert.Equal(Accepted.AddDays(7).AddHours(1), Assert.IsType<BacklinkState.Submitted>(state).NextCheckAt);

        (state, var seen) = Step(state, Check(IndexVerdicts.Indexed, Accepted.AddDays(7).AddHours(1)));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkIndexed)], seen.EventTypes()); // the miss was the checker's
        Assert.IsType<BacklinkState.Indexed>(state);
    }

    [Fact]
    public void GivenSubmittedThroughTheFirstChannel_WhenNotIndexedAtTheLastFollowUp_ThenItGoesBackToSubmissionThroughTheNext()
    {
        var state = SubmittedState("indexnow", "google");
        (state, _) = Step(state, Check(IndexVerdicts.NotIndexed, Accepted.AddHours(1)));
        (state, _) = Step(state, Check(IndexVerdicts.NotIndexed, Accepted.AddHours(24)));
        (state, var last) = Step(state, Check(IndexVerdicts.NotIndexed, Accepted.AddDays(7)));

        var recovery = Assert.IsType<RecoveryStarted>(last.Events[1]);
        Assert.Equal((FailureReasons.NotIndexed, "google", (DateTimeOffset?)null), (recovery.Reason, recovery.Channel, recovery.NotBefore));
        var validated = Assert.IsType<BacklinkState.Validated>(state);
        Assert.Equal(["google", "indexnow"], validated.Channels);
        Assert.Equal(BacklinkSteps.Submit, BacklinkNextStep.Of(state, Accepted.AddDays(7)).Step);
    }

    [Fact]
    public void GivenRecoveryThroughTheSameChannel_ItWaitsUntil24HoursAfterItsAcceptance()
    {
        var quick = Plan with { FollowUps = [TimeSpan.FromHours(1)] };
        var (state, decision) = Step(SubmittedState("indexnow"), Check(IndexVerdicts.NotIndexed, Accepted.AddHours(1), plan: quick));
        var recovery = Assert.IsType<RecoveryStarted>(decision.Events[1]);
        Assert.Equal(("indexnow", Accepted.AddHours(24)), (recovery.Channel, recovery.NotBefore));
        var next = BacklinkNextStep.Of(state, Accepted.AddHours(2));
        Assert.Equal((BacklinkSteps.Submit, Accepted.AddHours(24)), (next.Step, next.DueAt));
    }

    [Fact]
    public void GivenTheRecoveryLimitIsSpent_WhenNotIndexedAtTheLastFollowUp_ThenItFailsNotIndexed()
    {
        var quick = Plan with { FollowUps = [TimeSpan.FromHours(1)], RecoveryLimit = 0 };
        var state = Given(Collected(), Routed("indexnow", "google"), Validated(),
            new SubmissionAttempted(Guid.NewGuid(), "indexnow", "k", "b1", 200, true, null, 5, Accepted), Submitted());
        var decision = When(state, Check(IndexVerdicts.NotIndexed, Accepted.AddHours(1), plan: quick));
        var failed = Assert.IsType<BacklinkFailed>(decision.Events[1]);
        Assert.Equal(FailureReasons.NotIndexed, failed.Reason);
        Assert.Contains("1 of 1 sends used", failed.Detail);
    }

    [Fact]
    public void GivenSubmitted_WhenTheCheckSeesABlockingCause_ThenItFailsWithThatReason_InsteadOfRecovering()
    {
        var decision = When(SubmittedState("indexnow", "google"), Check(IndexVerdicts.Blocked, Accepted.AddHours(1), FailureReasons.Noindex));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkFailed)], decision.EventTypes());
        Assert.Equal(FailureReasons.Noindex, Assert.IsType<BacklinkFailed>(decision.Events[1]).Reason);
    }

    [Fact]
    public void GivenIndexed_WhenMissedOnce_ThenLookedAtAgainInAnHour_AndTwoMissesMakeADropOut_ThatIsRecovered()
    {
        var (state, _) = Step(SubmittedState("indexnow", "google"), Check(IndexVerdicts.Indexed, Accepted.AddHours(1)));
        var at = Accepted.AddDays(31);
        (state, var once) = Step(state, Check(IndexVerdicts.Missed, at));
        Assert.Equal([typeof(IndexChecked)], once.EventTypes());
        Assert.Equal(at.AddHours(1), Assert.IsType<BacklinkState.Indexed>(state).NextCheckAt);

        (state, var twice) = Step(state, Check(IndexVerdicts.NotIndexed, at.AddHours(1)));
        var recovery = Assert.IsType<RecoveryStarted>(twice.Events[1]);
        Assert.Equal((FailureReasons.DroppedOut, "google"), (recovery.Reason, recovery.Channel));
        Assert.IsType<BacklinkState.Validated>(state);
    }

    [Fact]
    public void GivenIndexed_WhenSeenAgainAfterOneMiss_ThenTheMissIsForgotten()
    {
        var (state, _) = Step(SubmittedState(), Check(IndexVerdicts.Indexed, Accepted.AddHours(1)));
        (state, _) = Step(state, Check(IndexVerdicts.Missed, Accepted.AddDays(31)));
        (state, _) = Step(state, Check(IndexVerdicts.Indexed, Accepted.AddDays(31).AddHours(1)));
        (state, var later) = Step(state, Check(IndexVerdicts.Missed, Accepted.AddDays(61)));
        Assert.Equal([typeof(IndexChecked)], later.EventTypes());
        Assert.IsType<BacklinkState.Indexed>(state);
    }

    [Fact]
    public void GivenIndexed_MonitoringEndsAtTheHorizon()
    {
        var (state, _) = Step(SubmittedState(), Check(IndexVerdicts.Indexed, Accepted.AddHours(1)));
        Assert.Equal(Accepted.AddHours(1).AddDays(30), Assert.IsType<BacklinkState.Indexed>(state).NextCheckAt);
        (state, _) = Step(state, Check(IndexVerdicts.Indexed, Accepted.AddDays(170)));
        Assert.Equal(Accepted.AddDays(180), Assert.IsType<BacklinkState.Indexed>(state).NextCheckAt);
        (state, _) = Step(state, Check(IndexVerdicts.Indexed, Accepted.AddDays(180)));
        Assert.Null(Assert.IsType<BacklinkState.Indexed>(state).NextCheckAt);
        Assert.Null(BacklinkNextStep.Of(state, Accepted.AddDays(400)).Step);
    }

    [Fact]
    public void GivenTheSameCheckDeliveredTwice_ThenTheSecondChangesNothing()
    {
        var check = Check(IndexVerdicts.Missed, Accepted.AddHours(1));
        var (state, _) = Step(SubmittedState(), check);
        Assert.Empty(When(state, check with { Now = Accepted.AddHours(3) }).EventTypes());
    }

    [Fact]
    public void GivenAValidatedUrlWithAChecker_TheIndexIsCheckedBeforeSubmission_AndAnIndexedOneSpendsNoQuota()
    {
        var state = Given(Collected(), RoutedWithChecker(preCheck: true), Validated());
        Assert.Equal(BacklinkSteps.Check, BacklinkNextStep.Of(state, Now).Step);

        var (indexed, decision) = Step(state, Check(IndexVerdicts.Indexed, Now));
        Assert.Equal([typeof(IndexChecked), typeof(BacklinkIndexed)], decision.EventTypes());
        Assert.True(Assert.IsType<BacklinkIndexed>(decision.Events[1]).AlreadyIndexed);
        Assert.Equal("", Assert.IsType<BacklinkState.Indexed>(indexed).Channel);
        Assert.Equal(0, indexed.FactsOrNull!.Submissions);
    }

    [Theory]
    [InlineData(IndexVerdicts.NotIndexed)]
    [InlineData(IndexVerdicts.Missed)]
    [InlineData(IndexVerdicts.Unknown)]
    public void GivenAPreCheck_WhenNotSeenIndexed_ThenItIsSubmitted(string verdict)
    {
        var (state, _) = Step(Given(Collected(), RoutedWithChecker(preCheck: true), Validated()), Check(verdict, Now));
        Assert.False(Assert.IsType<BacklinkState.Validated>(state).PreCheckDue);
        Assert.Equal(BacklinkSteps.Submit, BacklinkNextStep.Of(state, Now).Step);
    }

    [Fact]
    public void GivenAPreCheck_WhenNoCheckerCoversTheUrlAnyMore_ThenItIsSkipped_AndSubmitted()
    {
        var (state, decision) = Step(Given(Collected(), RoutedWithChecker(preCheck: true), Validated()),
            new BacklinkCommand.RecordCheckUncovered("no index checker covers this URL", Now.AddDays(1), TimeSpan.FromDays(180), Now));
        Assert.Equal([typeof(PreCheckSkipped)], decision.EventTypes());
        Assert.Equal(BacklinkSteps.Submit, BacklinkNextStep.Of(state, Now).Step);
    }

    [Fact]
    public void GivenACampaignWithoutPreChecks_OrNoChecker_ThenItIsSubmittedStraightAway()
    {
        Assert.Equal(BacklinkSteps.Submit, BacklinkNextStep.Of(Given(Collected(), RoutedWithChecker(preCheck: false), Validated()), Now).Step);
        Assert.Equal(BacklinkSteps.Submit, BacklinkNextStep.Of(Given(Collected(), Routed(), Validated()), Now).Step);
    }

    [Fact]
    public void GivenSubmitted_WhenNoCheckerCoversTheUrl_ThenItWaitsSayingSo()
    {
        var (state, decision) = Step(SubmittedState(), new BacklinkCommand.RecordCheckUncovered("no index checker covers this URL", Accepted.AddDays(2),
            TimeSpan.FromDays(180), Accepted.AddHours(1)));
        Assert.Equal([typeof(BacklinkWaiting)], decision.EventTypes());
        var next = BacklinkNextStep.Of(state, Accepted.AddHours(1));
        Assert.Equal((BacklinkSteps.Check, Accepted.AddDays(2), "no index checker covers this URL"), (next.Step, next.DueAt, next.WaitingFor));
        Assert.IsType<BacklinkState.Submitted>(state);
    }

    [Fact]
    public void AUrlNoCheckerCovers_IsAskedAboutUntilTheHorizon_AndThenNoMore()
    {
        var uncovered = (DateTimeOffset at) => new BacklinkCommand.RecordCheckUncovered("no index checker covers this URL", at.AddDays(1), TimeSpan.FromDays(30), at);
        var (waiting, _) = Step(SubmittedState(), uncovered(Accepted.AddDays(29).AddHours(12)));
        Assert.Equal(Accepted.AddDays(30), BacklinkNextStep.Of(waiting, Accepted.AddDays(29).AddHours(12)).DueAt); // not past the horizon
        var (ended, decision) = Step(waiting, uncovered(Accepted.AddDays(30)));
        Assert.Equal(IndexVerdicts.Unknown, Assert.IsType<IndexChecked>(Assert.Single(decision.Events)).Verdict);
        Assert.Null(BacklinkNextStep.Of(ended, Accepted.AddDays(400)).Step);
        Assert.IsType<BacklinkState.Submitted>(ended); // never guessed: it stays submitted
    }

    [Fact]
    public void GivenValidatedWithoutAPreCheck_WhenAnIndexCheckIsReported_ThenRejected() =>
        When(Given(Collected(), Routed(), Validated()), Check(IndexVerdicts.Indexed, Now)).IsRejected("not-awaiting-check");

    /// <summary>
    /// A SERP checker misses an indexed page 30 % of the time: over 1,000 indexed URLs checked at the campaign's
    /// schedule, no URL is ever concluded not indexed (or dropped out) on a single miss — only on two misses at least
    /// an hour apart with no sighting between.
    /// </summary>
    [Fact]
    public void AThirtyPercentFalseNegativeChecker_NeverConcludesOnASingleMiss()
    {
        var random = new Random(20261202);
        var concluded = 0;
        for (var url = 0; url < 1000; url++)
        {
            var state = SubmittedState("indexnow", "google");
            var misses = new List<DateTimeOffset>();
            for (var step = 0; step < 12 && BacklinkNextStep.Of(state, DateTimeOffset.MaxValue) is { Step: BacklinkSteps.Check, DueAt: { } due }; step++)
            {
                var verdict = random.NextDouble() < 0.3 ? IndexVerdicts.Missed : IndexVerdicts.Indexed;
                var (next, decision) = Step(state, Check(verdict, due));
                if (verdict == IndexVerdicts.Indexed)
                    misses.Clear();
                else
                    misses.Add(due);
                if (decision.Events.Any(e => e is RecoveryStarted or BacklinkFailed))
                {
                    concluded++;
                    Assert.True(misses.Count >= 2 && misses[^1] - misses[0] >= TimeSpan.FromHours(1),
                        $"URL {url} concluded on {misses.Count} miss(es)");
                }
                state = next;
                if (state is not (BacklinkState.Submitted or BacklinkState.Indexed))
                    break;
            }
        }
        Assert.InRange(concluded, 1, 1000); // double misses happen (9 %), and only they conclude
    }
}
