using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

/// <summary>A channel's own report on a URL it took (a paid vendor's task report): evidence the backlink did not ask for.</summary>
public sealed partial class BacklinkDeciderTests
{
    private static BacklinkCommand.RecordIndexCheck VendorReport(string verdict, DateTimeOffset at, string? reason = null) =>
        new(new IndexCheckReport("vendor", "vendor:1234", $"task-{Interlocked.Increment(ref checks)}", verdict, reason, $"vendor task: {verdict}",
            Unsolicited: true), Plan, at);

    [Fact]
    public void GivenSubmitted_WhenTheVendorsReportSaysNotIndexed_ThenItIsRecorded_AndTheFollowUpsGoOnAsPlanned()
    {
        var before = Assert.IsType<BacklinkState.Submitted>(SubmittedState("vendor"));
        var (state, decision) = Step(before, VendorReport(IndexVerdicts.Missed, Accepted.AddMinutes(30)));

        var check = Assert.IsType<IndexChecked>(Assert.Single(decision.Events));
        Assert.Equal((CheckStages.Report, 0, (DateTimeOffset?)null), (check.Stage, check.FollowUpsDone, check.MissedSince)); // no follow-up used, no miss counted
        Assert.Equal(before.NextCheckAt, Assert.IsType<BacklinkState.Submitted>(state).NextCheckAt);
    }

    [Fact]
    public void GivenSubmitted_WhenTheVendorsReportSaysIndexed_ThenIndexed_WithItsTimeToIndex()
    {
        var (state, decision) = Step(SubmittedState("vendor"), VendorReport(IndexVerdicts.Indexed, Accepted.AddHours(3)));

        Assert.Equal([typeof(IndexChecked), typeof(BacklinkIndexed)], decision.EventTypes());
        Assert.Equal(TimeSpan.FromHours(3), Assert.IsType<BacklinkIndexed>(decision.Events[1]).TimeToIndex);
        Assert.Equal(CheckStages.Report, Assert.IsType<IndexChecked>(decision.Events[0]).Stage);
        Assert.IsType<BacklinkState.Indexed>(state);
    }

    [Fact]
    public void GivenSubmitted_WhenTheVendorsReportSeesNoindex_ThenItFailsWithThatReason()
    {
        var (state, _) = Step(SubmittedState("vendor"), VendorReport(IndexVerdicts.Blocked, Accepted.AddHours(3), FailureReasons.Noindex));

        Assert.Equal(FailureReasons.Noindex, Assert.IsType<BacklinkState.Failed>(state).Reason);
    }

    [Fact]
    public void GivenIndexed_WhenALateVendorReportSaysNotIndexed_ThenNothingButTheEvidenceChanges()
    {
        var (indexed, _) = Step(SubmittedState("vendor"), Check(IndexVerdicts.Indexed, Accepted.AddHours(1)));
        var (state, decision) = Step(indexed, VendorReport(IndexVerdicts.Missed, Accepted.AddHours(3)));

        Assert.Equal(CheckStages.Report, Assert.IsType<IndexChecked>(Assert.Single(decision.Events)).Stage);
        var still = Assert.IsType<BacklinkState.Indexed>(state);
        Assert.Equal((Accepted.AddHours(1).AddDays(30), (DateTimeOffset?)null), (still.NextCheckAt, still.MissedSince)); // no drop-out counted
    }

    [Fact]
    public void AUserRequestedCheck_IsStillAwaited_AfterAVendorReportArrives()
    {
        var (requested, _) = Step(SubmittedState("vendor"), new BacklinkCommand.CheckNow(Accepted.AddMinutes(10)));
        var (state, _) = Step(requested, VendorReport(IndexVerdicts.Missed, Accepted.AddMinutes(20)));

        Assert.True(Assert.IsType<BacklinkState.Submitted>(state).Requested);
    }
}
