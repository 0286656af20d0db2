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
        var decision = When(Given(Collected(), Routed(), Validated()), new BacklinkCommand.RecordSubmission(Report(true), Now));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkSubmitted)], decision.EventTypes());
        var state = Assert.IsType<BacklinkState.Submitted>(Given([Collected(), Routed(), Validated(), .. decision.Events]));
        Assert.Equal(("indexnow", Now.AddHours(1)), (state.Channel, state.NextCheckAt!.Value));
    }

    [Fact]
    public void GivenValidated_WhenAChannelRefusesForNow_ThenOnlyTheAttemptIsRecorded()
    {
        var decision = When(Given(Collected(), Routed(), Validated()), new BacklinkCommand.RecordSubmission(Report(false, 429), Now));
        var attempt = Assert.IsType<SubmissionAttempted>(Assert.Single(decision.Events));
        Assert.Equal((429, false), (attempt.Status, attempt.Accepted));
        var state = Assert.IsType<BacklinkState.Validated>(Given([Collected(), Routed(), Validated(), .. decision.Events]));
        Assert.Equal(1, state.Facts.Submissions);
    }

    [Fact]
    public void GivenValidated_WhenAChannelRefusesForGood_ThenItFailsWithThatReason()
    {
        var decision = When(Given(Collected(), Routed(), Validated()), new BacklinkCommand.RecordSubmission(Report(false, 403, FailureReasons.KeyInvalid), Now));
        Assert.Equal([typeof(SubmissionAttempted), typeof(BacklinkFailed)], decision.EventTypes());
        Assert.Equal(FailureReasons.KeyInvalid, Assert.IsType<BacklinkState.Failed>(Given([Collected(), Routed(), Validated(), .. decision.Events])).Reason);
    }

    [Fact]
    public void GivenRoutedButNotValidated_WhenSubmissionReported_ThenRejected() =>
        When(Given(Collected(), Routed()), new BacklinkCommand.RecordSubmission(Report(true), Now)).IsRejected("not-awaiting-submission");
}
