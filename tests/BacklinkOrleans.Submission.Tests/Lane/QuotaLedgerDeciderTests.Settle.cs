using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

public sealed partial class QuotaLedgerDeciderTests
{
    [Fact]
    public void GivenReserved_WhenAccepted_ThenItsUrlsAreUsed_AndTheAnswerWaitsForItsBacklinks()
    {
        var settled = Settle(Given(Reserved("b1", 3)), "b1", Ok, T0.AddSeconds(1));

        Assert.NotNull(settled);
        Assert.Equal((Outcomes.Accepted, 3, (DateTimeOffset?)null), (settled.Answer.Outcome, settled.Answer.UnitsUsed, settled.Answer.HoldUntil));
        var ledger = Given(Reserved("b1", 3), settled);
        Assert.Empty(ledger.InFlight);
        Assert.Equal((3, 0), (ledger.UsedIn(QuotaWindow.UtcDay, T0), ledger.Reserved));
        var answer = Assert.Single(ledger.Outbox);
        Assert.Equal(("b1:accepted", "b1", Fingerprint), (answer.AnswerId, answer.BatchId, answer.Fingerprint));
        Assert.Equal(["b1-0", "b1-1", "b1-2"], answer.Undelivered.Select(i => i.UrlHash));
    }

    [Fact]
    public void GivenReserved_WhenDeferred_ThenNoQuotaIsUsed_AndTheReservationIsFreed()
    {
        var settled = Settle(Given(Reserved("b1", 3)), "b1", Answer(503, Outcomes.Deferred, Pace.Failure), T0);

        Assert.Equal(0, settled!.Answer.UnitsUsed);
        var ledger = Given(Reserved("b1", 3), settled);
        Assert.Equal((0, 0, 10), (ledger.UsedIn(QuotaWindow.UtcDay, T0), ledger.Reserved, ledger.Available(TenPerDay, T0)));
    }

    [Fact]
    public void GivenReserved_WhenRefused_ThenNoQuotaIsUsed_AndTheRefusalReachesTheBacklinks()
    {
        var settled = Settle(Given(Reserved("b1", 2)), "b1", Answer(410, Outcomes.Refused, Pace.None, detail: "HTTP 410"), T0);

        var ledger = Given(Reserved("b1", 2), settled!);
        Assert.Equal(0, ledger.UsedIn(QuotaWindow.UtcDay, T0));
        Assert.Equal((Outcomes.Refused, "channel-rejected", 2), (ledger.Outbox[0].Answer.Outcome, ledger.Outbox[0].Answer.Reason, ledger.Outbox[0].Undelivered.Count));
    }

    [Fact]
    public void GivenReserved_WhenTheOutcomeIsUnknown_ThenItsUrlsCountAsUsed_AndAreHeldForTheHold()
    {
        var settled = Settle(Given(Reserved("b1", 3)), "b1", Answer(504, Outcomes.Unknown, Pace.Failure), T0.AddSeconds(30));

        Assert.Equal((3, T0.AddSeconds(30) + Options.UnknownOutcomeHold), (settled!.Answer.UnitsUsed, settled.Answer.HoldUntil!.Value));
        Assert.Equal(3, Given(Reserved("b1", 3), settled).UsedIn(QuotaWindow.UtcDay, T0.AddSeconds(30)));
    }

    [Fact]
    public void GivenReserved_WhenTheChannelNamesTheUnitsItSpent_ThenThoseAreUsed()
    {
        var settled = Settle(Given(Reserved("b1", 3)), "b1", Answer(200, Outcomes.Accepted, Pace.Success, units: 1), T0);

        Assert.Equal(1, Given(Reserved("b1", 3), settled!).UsedIn(QuotaWindow.UtcDay, T0));
    }

    [Fact]
    public void GivenReservedYesterday_WhenAnsweredToday_ThenTheUseCountsToday()
    {
        var today = new DateTimeOffset(2026, 11, 25, 0, 0, 5, TimeSpan.Zero);
        var settled = Settle(Given(Reserved("b1", 3, T0)), "b1", Ok, today);

        var ledger = Given(Reserved("b1", 3, T0), settled!);
        Assert.Equal((3, 7), (ledger.UsedIn(QuotaWindow.UtcDay, today), ledger.Available(TenPerDay, today)));
    }

    [Fact]
    public void GivenNothingInFlight_WhenSettling_ThenNothing()
    {
        Assert.Null(Settle(Given(), "b1", Ok, T0));
        Assert.Null(Settle(Given(Reserved("b1", 1), Accepted("b1", 1)), "b1", Ok, T0)); // answered already
    }

    [Fact]
    public void GivenMarkedUnknown_WhenARivalRecordsTheRealAnswerAnyway_ThenOnlyThePaceChanges_AndNothingCountsTwice()
    {
        var unknown = new QuotaOutcomeUnknown(Guid.NewGuid(), ["b1"], "Outcome unknown: the sender stopped.", T0.AddDays(1), T0.AddMinutes(2));
        var lateAnswer = Accepted("b1", 3, T0.AddMinutes(3), new PaceState(BatchSize: 500));

        var ledger = Given(Reserved("b1", 3), unknown, lateAnswer);

        Assert.Equal(3, ledger.UsedIn(QuotaWindow.UtcDay, T0.AddMinutes(3)));
        Assert.Equal(Outcomes.Unknown, Assert.Single(ledger.Outbox).Answer.Outcome);
        Assert.Equal(500, ledger.Pace.BatchSize);
    }

    [Fact]
    public void GivenASnapshot_ThenTheLedgerIsTheSnapshotsLedger()
    {
        var before = Given(Spent("b1", 4));
        var ledger = Given(Reserved("x", 9), new LedgerSnapshot(Guid.NewGuid(), before, T0));

        Assert.Same(before, ledger);
    }
}
