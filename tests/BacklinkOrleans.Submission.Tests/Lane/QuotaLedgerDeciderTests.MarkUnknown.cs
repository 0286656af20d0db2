using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

public sealed partial class QuotaLedgerDeciderTests
{
    [Fact]
    public void GivenTwoBatchesInFlight_WhenOneIsMarkedUnknown_ThenItsQuotaIsUsed_AndItsUrlsAreHeldADayAfterTheLatestSend()
    {
        var now = T0.AddMinutes(5);
        var ledger = Given(Reserved("b1", 3), Reserved("b2", 2));

        var unknown = QuotaLedgerDecider.MarkUnknown(ledger, ["b1"], "the silo sending it stopped", Options, now, Ids());

        Assert.NotNull(unknown);
        Assert.Equal(["b1"], unknown.BatchIds);
        Assert.Equal(now + Options.MaxSendDuration + Options.UnknownOutcomeHold, unknown.HoldUntil);
        Assert.Contains("the silo sending it stopped", unknown.Detail);
        var after = Given(Reserved("b1", 3), Reserved("b2", 2), unknown);
        Assert.Equal(("b2", 3, 2), (Assert.Single(after.InFlight).BatchId, after.UsedIn(QuotaWindow.UtcDay, now), after.Reserved));
        var answer = Assert.Single(after.Outbox);
        Assert.Equal(("b1:unknown", Outcomes.Unknown, unknown.HoldUntil, 3), (answer.AnswerId, answer.Answer.Outcome, answer.Answer.HoldUntil, answer.Undelivered.Count));
    }

    [Fact]
    public void GivenOneBatchInFlight_WhenMarkingItAndOthersUnknown_ThenOnlyTheOneInFlightIsNamed()
    {
        var unknown = QuotaLedgerDecider.MarkUnknown(Given(Reserved("b1", 1)), ["b0", "b1", "b2"], "gone", Options, T0, Ids());
        Assert.Equal(["b1"], unknown!.BatchIds);
    }

    [Fact]
    public void GivenNothingInFlight_WhenMarkingUnknown_ThenNothing()
    {
        Assert.Null(QuotaLedgerDecider.MarkUnknown(Given(), ["b1"], "gone", Options, T0, Ids()));
        Assert.Null(QuotaLedgerDecider.MarkUnknown(Given(Spent("b1", 1)), ["b1"], "gone", Options, T0, Ids())); // answered already
    }

    [Fact]
    public void GivenMarkedUnknown_WhenItsAnswerArrivesLate_ThenItIsNotSettledAgain()
    {
        var ledger = Given(Reserved("b1", 2));
        ledger = QuotaLedger.Evolve(ledger, QuotaLedgerDecider.MarkUnknown(ledger, ["b1"], "gone", Options, T0, Ids())!);

        Assert.Null(Settle(ledger, "b1", Ok, T0.AddMinutes(1)));
        Assert.Equal(2, ledger.UsedIn(QuotaWindow.UtcDay, T0));
    }
}
