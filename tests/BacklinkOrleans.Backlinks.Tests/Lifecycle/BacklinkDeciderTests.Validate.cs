using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed partial class BacklinkDeciderTests
{
    [Fact]
    public void GivenRouted_WhenValidationPasses_ThenValidated_KeepingItsChannels()
    {
        var decision = When(Given(Collected(), Routed("indexnow", "vendor")), new BacklinkCommand.RecordValidation(new(true, null, null, "200 OK"), Now));
        Assert.Equal("200 OK", Assert.IsType<BacklinkValidated>(Assert.Single(decision.Events)).Evidence);
        Assert.Equal(["indexnow", "vendor"], Assert.IsType<BacklinkState.Validated>(Given([Collected(), Routed("indexnow", "vendor"), .. decision.Events])).Channels);
    }

    [Fact]
    public void GivenRouted_WhenValidationFails_ThenFailed_WithTheReasonAndEvidence()
    {
        var verdict = new ValidationVerdict(false, FailureReasons.Noindex, "meta robots noindex", "GET 200, <meta name=robots content=noindex>");
        var decision = When(Given(Collected(), Routed()), new BacklinkCommand.RecordValidation(verdict, Now));
        var failed = Assert.IsType<BacklinkFailed>(Assert.Single(decision.Events));
        Assert.Equal((FailureReasons.Noindex, "meta robots noindex"), (failed.Reason, failed.Detail));
    }

    [Fact]
    public void GivenCollectedButNotRouted_WhenValidated_ThenRejected() =>
        When(Given(Collected()), new BacklinkCommand.RecordValidation(new(true, null, null, "ok"), Now)).IsRejected("not-awaiting-validation");

    [Fact]
    public void GivenValidated_WhenValidatedAgain_ThenRejected() =>
        When(Given(Collected(), Routed(), Validated()), new BacklinkCommand.RecordValidation(new(true, null, null, "ok"), Now)).IsRejected("not-awaiting-validation");
}
