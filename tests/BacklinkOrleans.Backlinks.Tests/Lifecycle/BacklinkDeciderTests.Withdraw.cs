using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

/// <summary>A retired URL is withdrawn from the channel that accepted it, where that channel withdraws (Google's URL_DELETED).</summary>
public sealed partial class BacklinkDeciderTests
{
    private static readonly DateTimeOffset Later = T0.AddDays(2);

    private static BacklinkSubmitted SubmittedThroughGoogle() => new(Guid.NewGuid(), "google", T0.AddHours(1), T0.AddSeconds(3), Withdrawable: true);

    private static SubmissionReport WithdrawalAnswer(string outcome = SubmissionOutcomes.Accepted) =>
        new("google", "sa:1", "b-withdraw", 200, outcome == SubmissionOutcomes.Accepted, null, 40, null, Outcome: outcome, Withdrawal: true);

    [Fact]
    public void GivenAUrlGoogleAccepted_WhenRetired_ThenItsNextStepIsTheWithdrawalFromGoogle_AtOnce()
    {
        var state = Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Retired());

        var next = BacklinkNextStep.Of(state, Later);

        Assert.Equal((BacklinkSteps.Withdraw, "google", Retired().At), (next.Step, next.Target!.Channel, next.DueAt));
        Assert.True(next.IsDue(Later));
    }

    [Theory]
    [InlineData(true, "google")]  // Google withdraws: the read model keeps it due until the withdrawal is queued
    [InlineData(false, null)]     // IndexNow does not: nothing is due once retired
    public void GivenASubmittedUrl_WhenRetired_ThenTheEventNamesWhatItIsStillWithdrawnFrom_AndTheReadModelKeepsItDueTillThen(bool google, string? withdrawFrom)
    {
        IBacklinkEvent[] history = google
            ? [Collected(), Routed("google"), Validated(), SubmittedThroughGoogle()]
            : [Collected(), Routed(), Validated(), Submitted()];

        var retired = Assert.IsType<BacklinkRetired>(Assert.Single(When(Given(history), new BacklinkCommand.Retire(Later)).Events));

        Assert.Equal(withdrawFrom, retired.WithdrawFrom);
        // A drive lost after the retirement was stored (its silo died) or a paused campaign: the shards still find it.
        Assert.Equal(google ? Later.AddMinutes(1) : null, RowOf([.. history, retired])!.NextActionAt);
        Assert.Null(RowOf([.. history, retired, new WithdrawalQueued(Guid.NewGuid(), "google", "", Later)])!.NextActionAt);
    }

    [Fact]
    public void GivenAnIndexedUrlGoogleAccepted_WhenRetired_ThenItIsWithdrawnToo() =>
        Assert.Equal(BacklinkSteps.Withdraw,
            BacklinkNextStep.Of(Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Indexed(), Retired()), Later).Step);

    [Fact]
    public void GivenAUrlIndexNowAccepted_WhenRetired_ThereIsNothingToWithdraw() =>
        Assert.Equal(NextStep.Nothing, BacklinkNextStep.Of(Given(Collected(), Routed(), Validated(), Submitted(), Retired()), Later));

    [Fact]
    public void GivenTheWithdrawalIsDue_WhenTheQuotaGrainTookIt_ThenItIsQueued_AndNothingMoreIsDue()
    {
        var state = Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Retired());

        var decision = When(state, new BacklinkCommand.RecordWithdrawalQueued("google", new Enqueued(Later.AddMinutes(5), "in Google's queue"), Later));

        Assert.Equal([typeof(WithdrawalQueued)], decision.EventTypes());
        Assert.Equal(NextStep.Nothing, BacklinkNextStep.Of(decision.Events.Aggregate(state, BacklinkState.Evolve), Later));
    }

    [Fact]
    public void GivenTheWithdrawalWasQueued_WhenQueuedAgain_ThenRejectedAsRetired() =>
        When(Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Retired(), new WithdrawalQueued(Guid.NewGuid(), "google", "", Later)),
            new BacklinkCommand.RecordWithdrawalQueued("google", new Enqueued(Later, ""), Later)).IsRejected("retired");

    [Fact]
    public void GivenTheWithdrawalIsDue_WhenNoChannelCanTakeItNow_ThenItWaits_AndIsDueAgainAfterTheWait()
    {
        var state = Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Retired());

        var decision = When(state, new BacklinkCommand.RecordWait(BacklinkSteps.Withdraw, "no channel of this build withdraws from google", Later.AddHours(1), Later));

        Assert.Equal([typeof(BacklinkWaiting)], decision.EventTypes());
        var next = BacklinkNextStep.Of(decision.Events.Aggregate(state, BacklinkState.Evolve), Later);
        Assert.Equal((BacklinkSteps.Withdraw, Later.AddHours(1)), (next.Step, next.DueAt));
    }

    [Fact]
    public void GivenARetiredUrl_WhenGooglesAnswerToTheWithdrawalArrives_ThenItIsRecordedForTheAudit_Once()
    {
        var state = Given(Collected(), Routed("google"), Validated(), SubmittedThroughGoogle(), Retired(),
            new WithdrawalQueued(Guid.NewGuid(), "google", "", Later));

        var decision = When(state, new BacklinkCommand.RecordSubmission(WithdrawalAnswer(), 2, Later));

        var attempt = Assert.IsType<SubmissionAttempted>(Assert.Single(decision.Events));
        Assert.True(attempt.Withdrawal);
        Assert.Equal(("google", SubmissionOutcomes.Accepted), (attempt.Channel, attempt.Outcome));
        var after = decision.Events.Aggregate(state, BacklinkState.Evolve);
        Assert.IsType<BacklinkState.Submitted>(after); // the state stays: retired, submitted through Google, withdrawn
        Assert.Empty(When(after, new BacklinkCommand.RecordSubmission(WithdrawalAnswer(), 2, Later)).EventTypes()); // delivered again: a no-op
    }

    [Fact]
    public void GivenARetiredUrl_WhenAnAnswerToASubmissionArrives_ThenRejectedAsRetired() =>
        When(Given(Collected(), Routed("google"), Validated(), Retired()),
            new BacklinkCommand.RecordSubmission(WithdrawalAnswer() with { Withdrawal = false }, 2, Later)).IsRejected("retired");
}
