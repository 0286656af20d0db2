using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

public sealed partial class QuotaLedgerDeciderTests
{
    private static Dictionary<string, HashSet<string>> Delivered(params (string AnswerId, string[] UrlHashes)[] answers) =>
        answers.ToDictionary(a => a.AnswerId, a => a.UrlHashes.ToHashSet(StringComparer.Ordinal));

    [Fact]
    public void GivenAnAnswerForThreeUrls_WhenAllThreeRecordedIt_ThenTheAnswerLeavesTheOutbox()
    {
        var ledger = Given(Spent("b1", 3));

        var acknowledged = QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b1:accepted", ["b1-0", "b1-1", "b1-2"])), T0, Ids());

        var ack = Assert.Single(acknowledged!.Acks);
        Assert.Equal(("b1:accepted", (IReadOnlyList<string>?)null), (ack.AnswerId, ack.UrlHashes)); // all of it
        Assert.Empty(Given([.. Spent("b1", 3), acknowledged]).Outbox);
    }

    [Fact]
    public void GivenAnAnswerForThreeUrls_WhenTwoRecordedIt_ThenOnlyTheThirdStillWaits()
    {
        var ledger = Given(Spent("b1", 3));

        var acknowledged = QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b1:accepted", ["b1-0", "b1-2", "elsewhere"])), T0, Ids());

        Assert.Equal(["b1-0", "b1-2"], Assert.Single(acknowledged!.Acks).UrlHashes!);
        Assert.Equal(["b1-1"], Assert.Single(Given([.. Spent("b1", 3), acknowledged]).Outbox).Undelivered.Select(i => i.UrlHash));
    }

    [Fact]
    public void GivenTwoAnswers_WhenBothWereRecorded_ThenOneEventAcknowledgesBoth()
    {
        var ledger = Given([.. Spent("b1", 1), .. Spent("b2", 1)]);

        var acknowledged = QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b1:accepted", ["b1-0"]), ("b2:accepted", ["b2-0"])), T0, Ids());

        Assert.Equal(["b1:accepted", "b2:accepted"], acknowledged!.Acks.Select(a => a.AnswerId));
        Assert.Empty(Given([.. Spent("b1", 1), .. Spent("b2", 1), acknowledged]).Outbox);
    }

    [Fact]
    public void GivenAnAnswer_WhenNothingNewWasRecorded_ThenNothing()
    {
        var ledger = Given(Spent("b1", 2));

        Assert.Null(QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b9:accepted", ["b1-0"])), T0, Ids()));   // another answer
        Assert.Null(QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b1:accepted", ["elsewhere"])), T0, Ids())); // other URLs
        Assert.Null(QuotaLedgerDecider.Acknowledge(ledger, Delivered(), T0, Ids()));
    }

    [Fact]
    public void GivenAcknowledged_ThenTheQuotaUsedStays()
    {
        var ledger = Given([.. Spent("b1", 2)]);
        var acknowledged = QuotaLedgerDecider.Acknowledge(ledger, Delivered(("b1:accepted", ["b1-0", "b1-1"])), T0, Ids());

        Assert.Equal(2, QuotaLedger.Evolve(ledger, acknowledged!).UsedIn(QuotaWindow.UtcDay, T0));
    }
}
