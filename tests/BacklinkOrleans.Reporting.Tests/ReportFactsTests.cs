using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Reporting.Reports;

namespace BacklinkOrleans.Reporting.Tests;

/// <summary>Given a backlink's events, then its report facts (the fold the read model and the audit share).</summary>
public sealed class ReportFactsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    internal static ReportFacts? Given(params IBacklinkEvent[] events)
    {
        ReportFacts? facts = null;
        foreach (var e in events)
            facts = ReportFacts.Apply(facts, e);
        return facts;
    }

    internal static BacklinkCollected Collected(string campaign = "c1", string url = "https://blog.example/a") =>
        new(Guid.NewGuid(), "acme", "h1", url, "blog.example", campaign, null, null, null, 50, T0);

    private static BacklinkValidated Validated() => new(Guid.NewGuid(), "ok", T0.AddMinutes(1));

    private static SubmissionAttempted Accepted(string channel = "indexnow", decimal? cost = null, int minutes = 2) =>
        new(Guid.NewGuid(), channel, "key:1", "b1", 200, true, null, 10, T0.AddMinutes(minutes), SubmissionOutcomes.Accepted, Cost: cost);

    private static BacklinkSubmitted Submitted(string channel = "indexnow") => new(Guid.NewGuid(), channel, T0.AddHours(1), T0.AddMinutes(2));

    [Fact]
    public void GivenSubmittedThenIndexed_ThenIndexedWithItsTimeToIndexAndChannel()
    {
        var facts = Given(Collected(), Validated(), Accepted(), Submitted(),
            new IndexChecked(Guid.NewGuid(), true, "seen", null, T0.AddHours(3), IndexVerdicts.Indexed, "serp", "k", "c", Cost: 0.005m),
            new BacklinkIndexed(Guid.NewGuid(), null, T0.AddHours(3), TimeToIndex: TimeSpan.FromHours(3) - TimeSpan.FromMinutes(2)))!;
        Assert.Equal((ReportFacts.Indexed, ReportFacts.Indexed), (facts.State, facts.Furthest));
        Assert.Equal(3 * 3600 - 120, facts.TimeToIndexSeconds);
        Assert.Equal("indexnow", facts.IndexedChannel);
        Assert.Equal(1, facts.Checks);
        Assert.Equal(5_000, facts.CostMicros);
        Assert.False(facts.Open);
    }

    [Fact]
    public void GivenValidatedThenFailed_ThenFailedAtTheValidatedStep_WithTheReason()
    {
        var facts = Given(Collected(), Validated(), new BacklinkFailed(Guid.NewGuid(), FailureReasons.KeyInvalid, "401", T0.AddMinutes(3)))!;
        Assert.Equal((ReportFacts.Failed, ReportFacts.Validated, FailureReasons.KeyInvalid, ReportFacts.Validated),
            (facts.State, facts.Furthest, facts.FailedReason, facts.FailedStep));
    }

    [Fact]
    public void GivenFailedOutcomeUnknown_WhenTheRequestsAcceptanceArrivesLate_ThenSubmitted_WithNoDropOffReasonLeft()
    {
        var facts = Given(Collected(), Validated(), new BacklinkFailed(Guid.NewGuid(), FailureReasons.OutcomeUnknown, "no answer", T0.AddMinutes(3)),
            Accepted(minutes: 4), Submitted())!;
        Assert.Equal((ReportFacts.Submitted, (string?)null, (string?)null), (facts.State, facts.FailedReason, facts.FailedStep));
        Assert.True(facts.Open);
    }

    [Fact]
    public void EventsThatChangeNothingAReportShows_LeaveTheFactsAsTheyWere()
    {
        var accepted = Given(Collected(), Validated(), Accepted(cost: 0.02m))!;
        Assert.Equal(20_000, accepted.CostMicros);
        Assert.Equal(new ChannelUse("indexnow", "key:1", 1, 1, 0), Assert.Single(accepted.Channels));
        Assert.Same(accepted, ReportFacts.Apply(accepted, new BacklinkRouted(Guid.NewGuid(), ["indexnow"], T0)));
        Assert.Same(accepted, ReportFacts.Apply(accepted, new BacklinkWaiting(Guid.NewGuid(), "submit", "queued", T0.AddHours(1), T0)));
        Assert.Same(accepted, ReportFacts.Apply(accepted, new BacklinkJoinedCampaign(Guid.NewGuid(), "c1", T0)));
    }

    [Fact]
    public void GivenIndexedThenDroppedOut_ThenBackInRecovery_TheFunnelStillReachedIndexed_AndTheFirstIndexingCounts()
    {
        var facts = Given(Collected(), Validated(), Accepted(), Submitted(),
            new BacklinkIndexed(Guid.NewGuid(), null, T0.AddHours(2), TimeToIndex: TimeSpan.FromHours(2)),
            new RecoveryStarted(Guid.NewGuid(), FailureReasons.DroppedOut, "google", "gone", null, T0.AddDays(30)),
            new BacklinkIndexed(Guid.NewGuid(), null, T0.AddDays(31), TimeToIndex: TimeSpan.FromDays(1)))!;
        Assert.Equal((ReportFacts.Indexed, 1, 7200L), (facts.Furthest, facts.DroppedOut, facts.TimeToIndexSeconds));
        Assert.Equal(T0.AddHours(2), facts.IndexedAt);
    }

    [Fact]
    public void AlreadyIndexedBeforeSubmission_IsNoTimeToIndex_AndNoChannelsCredit()
    {
        var facts = Given(Collected(), Validated(), new BacklinkIndexed(Guid.NewGuid(), null, T0.AddMinutes(2), AlreadyIndexed: true))!;
        Assert.True(facts.AlreadyIndexed);
        Assert.Null(facts.TimeToIndexSeconds);
        Assert.Null(facts.IndexedChannel);
    }

    [Fact]
    public void LinkRot_IsCounted_AndRestoredLinksAreNotMissingNow()
    {
        var facts = Given(Collected(), new LinkMissing(Guid.NewGuid(), "https://client.example/", "no link", T0.AddDays(1)),
            new LinkRestored(Guid.NewGuid(), "https://client.example/", null, null, T0.AddDays(2)))!;
        Assert.Equal((1, false), (facts.LinkMissing, facts.LinkLost));
    }

    [Fact]
    public void JoiningAnotherCampaign_AddsIt_TheFirstStillGoverns()
    {
        var facts = Given(Collected("c1"), new BacklinkJoinedCampaign(Guid.NewGuid(), "c2", T0.AddMinutes(5)))!;
        Assert.Equal(["c1", "c2"], facts.Campaigns);
        Assert.Equal("c1", facts.FirstCampaign);
    }
}
