using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    private static SubmissionReport Report(bool accepted, int status = 200, string? failure = null) =>
        new("indexnow", "key:ab12", "batch-1", status, accepted, accepted ? null : "Too Many Requests", 120, accepted ? Now.AddHours(1) : null, failure);

    [Fact]
    public void GivenValidated_WhenAChannelAccepts_ThenTheAttemptIsRecorded_AndItIsSubmitted()
    {
        var decision = When(Given(Collected(), Routed(), Validated()), Submit(Report(true)));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkSubmitted)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Submitted>(Given([Collected(), Routed(), Validated(), .. decision.Events]));
        Assert.Equal(("indexnow", Now.AddHours(1)), (state.Channel, state.NextCheckAt!.Value));
    }

    [Fact]
    public void GivenValidated_WhenAChannelRefusesForNow_ThenOnlyTheAttemptIsRecorded()
    {
        var decision = When(Given(Collected(), Routed(), Validated()), Submit(Report(false, 429)));
        var attempt = Assert.IsType<SubmissionAttempted>(Assert.Single(decision.Events));
        Assert.Equal((429, false), (attempt.Status, attempt.Accepted));
        var state = Assert.IsType<BacklinkState.Validated>(Given([Collected(), Routed(), Validated(), .. decision.Events]));
        Assert.Equal(1, state.Facts.Submissions);
    }

    [Fact]
    public void GivenValidated_WhenAChannelRefusesForGood_ThenItFailsWithThatReason()
    {
        var decision = When(Given(Collected(), Routed(), Validated()), Submit(Report(false, 403, FailureReasons.KeyInvalid)));
        Assert.Equal([typeof(SubmissionAttempted), typeof(ChannelDropped), typeof(BacklinkFailed)], decision.EventTypes());
        Assert.Equal(FailureReasons.KeyInvalid, Assert.IsType<BacklinkState.Failed>(Given([Collected(), Routed(), Validated(), .. decision.Events])).Reason);
    }

    private static BacklinkCommand.RecordSubmission Submit(SubmissionReport report, int sendLimit = 2) => new(report, sendLimit, Now);

    private static SubmissionReport Unknown(string batch) =>
        new("indexnow", "key:ab12", batch, 0, false, "the silo stopped", 0, null, null, SubmissionOutcomes.Unknown, Now.AddDays(1));

    [Fact]
    public void GivenTwoCoveringChannels_WhenTheFirstRefusesForGood_ThenItIsDropped_AndTheUrlWaitsForTheNext()
    {
        var given = Given(Collected(), Routed("indexnow", "vendor"), Validated());
        var decision = When(given, Submit(Report(false, 403, FailureReasons.KeyInvalid)));
        Assert.Equal([typeof(SubmissionAttempted), typeof(ChannelDropped)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Validated>(Given([Collected(), Routed("indexnow", "vendor"), Validated(), .. decision.Events]));
        Assert.Equal(["vendor"], state.Channels);
    }

    [Fact]
    public void GivenValidated_WhenARefusalCameWithoutARequest_ThenNoAttemptIsRecorded_OnlyTheDrop()
    {
        var refusal = new SubmissionReport("indexnow", "key:ab12", "refused-1", 0, false, "key known invalid", 0, null, FailureReasons.KeyInvalid);
        Assert.Equal([typeof(ChannelDropped), typeof(BacklinkFailed)], When(Given(Collected(), Routed(), Validated()), Submit(refusal)).EventTypes());
    }

    [Fact]
    public void GivenValidated_WhenTheOutcomeIsUnknown_ThenItIsHeld_AndASecondUnknownAtTheLimitFailsIt()
    {
        IBacklinkEvent[] start = [Collected(), Routed(), Validated()];
        var first = When(Given(start), Submit(Unknown("b1")));
        var attempt = Assert.IsType<SubmissionAttempted>(Assert.Single(first.Events));
        Assert.Equal((SubmissionOutcomes.Unknown, Now.AddDays(1)), (attempt.Outcome, attempt.HoldUntil!.Value));
        var held = Assert.IsType<BacklinkState.Validated>(Given([.. start, .. first.Events]));
        Assert.Equal((Now.AddDays(1), 1), (held.Facts.HoldUntil!.Value, held.Facts.Sends));

        var second = When(Given([.. start, .. first.Events]), Submit(Unknown("b2"), sendLimit: 2));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkFailed)], second.EventTypes());
        Assert.Equal(FailureReasons.OutcomeUnknown, Assert.IsType<BacklinkState.Failed>(Given([.. start, .. first.Events, .. second.Events])).Reason);
    }

    [Fact]
    public void GivenAnAnswerAlreadyRecorded_WhenItIsDeliveredAgain_ThenNothingHappens()
    {
        IBacklinkEvent[] start = [Collected(), Routed(), Validated()];
        var first = When(Given(start), Submit(Report(false, 429)));
        Assert.Empty(When(Given([.. start, .. first.Events]), Submit(Report(false, 429))).Events);
    }

    [Fact]
    public void GivenARequestDeclaredUnknown_WhenItIsDeclaredUnknownAgain_ThenNothingHappens_ButItsRealAnswerStillCounts()
    {
        IBacklinkEvent[] start = [Collected(), Routed(), Validated()];
        IBacklinkEvent[] unknown = [.. start, .. When(Given(start), Submit(Unknown("b1"))).Events];
        Assert.Empty(When(Given(unknown), Submit(Unknown("b1"))).Events); // two activations both declared it unknown

        var real = Report(true) with { BatchId = "b1" };
        var decision = When(Given(unknown), Submit(real));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkSubmitted)], decision.EventTypes());
        Assert.IsType<BacklinkState.Submitted>(Given([.. unknown, .. decision.Events]));
    }

    [Fact]
    public void GivenAnUnknownThatUsedTheLastSend_WhenTheRequestsRealAcceptanceArrives_ThenTheFailedUrlIsSubmitted()
    {
        IBacklinkEvent[] start = [Collected(), Routed(), Validated()];
        IBacklinkEvent[] failed = [.. start, .. When(Given(start), Submit(Unknown("b1"), sendLimit: 1)).Events];
        Assert.Equal(FailureReasons.OutcomeUnknown, Assert.IsType<BacklinkState.Failed>(Given(failed)).Reason);

        var decision = When(Given(failed), Submit(Report(true) with { BatchId = "b1" }, sendLimit: 1));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkSubmitted)], decision.EventTypes());
        Assert.Equal("indexnow", Assert.IsType<BacklinkState.Submitted>(Given([.. failed, .. decision.Events])).Channel);
        Assert.True(When(Given(failed), Submit(Report(true) with { BatchId = "other" }, sendLimit: 1)).Events.All(e => e is SubmissionAttempted));

        // The read model (list, counters, reports) shows it submitted, with no failure reason left over.
        var row = RowOf([.. failed, .. decision.Events]);
        Assert.Equal((BacklinkState.SubmittedName, (string?)null), (row!.State, row.Reason));
    }

    [Fact]
    public void GivenAHeldUrlThatFailed_WhenTheUserRetries_ThenTheHoldAndTheSendCountSurvive()
    {
        IBacklinkEvent[] failed = [Collected(), Routed(), Validated(), .. When(Given(Collected(), Routed(), Validated()), Submit(Unknown("b1"), sendLimit: 1)).Events];
        var retried = Given([.. failed, new RetryRequested(Guid.NewGuid(), Now.AddHours(1)), Routed(), Validated()]);
        var validated = Assert.IsType<BacklinkState.Validated>(retried);
        Assert.Equal((Now.AddDays(1), 1), (validated.Facts.HoldUntil!.Value, validated.Facts.Sends));
    }

    [Fact]
    public void GivenARetriedUrl_WhenAnAnswerForItsOldRequestArrives_ThenItIsRecordedForTheAudit_AndTheStateStays()
    {
        var collected = Given(Collected(), Routed(), Validated(), Failed(FailureReasons.KeyInvalid), new RetryRequested(Guid.NewGuid(), Now));
        var decision = When(collected, Submit(Report(false, 429)));
        Assert.Equal([typeof(SubmissionAttempted)], decision.EventTypes());
        Assert.IsType<BacklinkState.Collected>(Given([Collected(), Routed(), Validated(), Failed(FailureReasons.KeyInvalid),
            new RetryRequested(Guid.NewGuid(), Now), .. decision.Events]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GivenAStreamThatLostItsDrive_WhenTheChannelsAcceptanceArrives_ThenItIsSubmitted_AndNotSentAgain(bool routed)
    {
        // The fast path hands the URL over before it stores route, validation and queue: a silo lost in between leaves
        // 'collected' (or only routed) while the channel has the URL.
        IBacklinkEvent[] lost = routed ? [Collected(), Routed()] : [Collected()];
        var decision = When(Given(lost), Submit(Report(true)));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkSubmitted)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Submitted>(Given([.. lost, .. decision.Events]));
        Assert.Equal(("indexnow", 1), (state.Channel, state.Facts.Sends));
        Assert.Equal(["indexnow"], state.Channels);
        Assert.Equal(BacklinkSteps.Check, BacklinkNextStep.Of(state, Now).Step); // its follow-up, not a second send
        Assert.Empty(When(Given([.. lost, .. decision.Events]), Submit(Report(true))).Events); // redelivered
    }

    [Fact]
    public void GivenAStreamThatLostItsDrive_WhenTheChannelsOutcomeIsUnknown_ThenItIsHeld_ThroughRouteAndValidation()
    {
        IBacklinkEvent[] routed = [Collected(), .. When(Given(Collected()), Submit(Unknown("b1"))).Events, Routed()];
        var validation = When(Given(routed), new BacklinkCommand.RecordValidation(new ValidationVerdict(true, null, null, "200 OK"), Now));
        Assert.Equal([typeof(BacklinkValidated), typeof(BacklinkWaiting)], validation.EventTypes()); // the wait puts next_action_at at the hold
        Assert.Equal(Now.AddDays(1), Assert.IsType<BacklinkWaiting>(validation.Events[1]).Until);
        var next = BacklinkNextStep.Of(Given([.. routed, .. validation.Events]), Now);
        Assert.Equal((BacklinkSteps.Submit, Now.AddDays(1)), (next.Step, next.DueAt!.Value));
    }

    [Fact]
    public void GivenAStreamThatLostItsDrive_WhenTheUnknownOutcomeUsedItsLastSend_ThenItFails_AsAValidatedOneWould()
    {
        var decision = When(Given(Collected()), Submit(Unknown("b1"), sendLimit: 1));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkFailed)], decision.EventTypes());
        Assert.Equal(FailureReasons.OutcomeUnknown, Assert.IsType<BacklinkState.Failed>(Given([Collected(), .. decision.Events])).Reason);
    }

    [Fact]
    public void GivenRoutedButNotValidated_WhenARefusalWithoutARequestArrives_ThenRejected() =>
        When(Given(Collected(), Routed()), Submit(new SubmissionReport("indexnow", "k", "r", 0, false, "invalid", 0, null, FailureReasons.KeyInvalid)))
            .IsRejected("not-awaiting-submission");
}
