using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>Requests a service reports on later (a vendor's task): awaited, asked about on a backoff schedule, delivered as index checks.</summary>
public sealed partial class QuotaLedgerDeciderTests
{
    private static SendOutcome TaskCreated(int count, int paid) => new(200, Outcomes.Mixed, null, "task t1", 40, Pace.Success,
        PerUrl: Enumerable.Range(0, count).ToDictionary(i => $"b1-{i}", i => new UrlVerdict(i < paid ? Outcomes.Accepted : Outcomes.Deferred, null, null, Cost: 0.02m)),
        UnitsUsed: paid, Awaiting: "t1", Balance: 7, BalanceLow: true);

    private static QuotaLedger Awaiting(int count = 3, int paid = 2) =>
        Given(Reserved("b1", count), Settle(Given(Reserved("b1", count)), "b1", TaskCreated(count, paid), T0)!);

    [Fact]
    public void GivenATaskTakenForPartOfABatch_ThenOnlyTheTakenUrlsAwaitItsReport_FirstAskedAfterReportFirstPoll()
    {
        var ledger = Awaiting(count: 3, paid: 2);

        var awaited = Assert.Single(ledger.Awaited);
        Assert.Equal(("t1", T0 + Options.ReportFirstPoll), (awaited.Token, awaited.NextPollAt));
        Assert.Equal(["b1-0", "b1-1"], awaited.Items.Select(i => i.UrlHash));
        Assert.Equal((7L, true), (ledger.Pace.Balance, ledger.Pace.BalanceLow)); // what the service said of the account
    }

    [Fact]
    public void GivenAnAwaitedReport_WhenNotDone_ThenItIsAskedAgainTwiceAsLateEachTime_UpToTheMaximum()
    {
        var ledger = Awaiting();
        var waits = new List<TimeSpan>();
        var now = T0 + Options.ReportFirstPoll;
        for (var i = 0; i < 8; i++)
        {
            var polled = Assert.IsType<ReportPolled>(QuotaLedgerDecider.Poll(ledger, "b1", new ReportPoll(false, null, "1 of 2 processed"), Options, now, 0.5, Ids()));
            waits.Add(polled.NextPollAt - now);
            ledger = QuotaLedger.Evolve(ledger, polled);
            now = polled.NextPollAt;
        }

        Assert.Equal(Options.ReportFirstPoll * 2, waits[0]); // jitter 0.5: the middle of 0.9-1.1
        Assert.Equal(Options.ReportFirstPoll * 4, waits[1]);
        Assert.Equal(Options.ReportPollMax, waits[^1]);
        Assert.Equal((8, "1 of 2 processed"), (ledger.Awaited[0].Polls, ledger.Awaited[0].Detail));
    }

    [Fact]
    public void GivenAnAwaitedReport_WhenDone_ThenItsVerdictsWaitInTheOutboxAsAReport_AndNothingIsAwaited()
    {
        var ledger = Awaiting();
        var verdicts = new Dictionary<string, UrlVerdict>
        {
            ["b1-0"] = new(Outcomes.Accepted, null, "indexed", IndexVerdicts.Indexed),
            ["b1-1"] = new(Outcomes.Accepted, FailureReasons.Noindex, "noindex", IndexVerdicts.Blocked),
        };

        var received = Assert.IsType<ReportReceived>(QuotaLedgerDecider.Poll(ledger, "b1", new ReportPoll(true, verdicts, "done"), Options, T0.AddHours(3), 0.5, Ids()));
        ledger = QuotaLedger.Evolve(ledger, received);

        Assert.Empty(ledger.Awaited);
        var report = ledger.Outbox.Single(o => o.Report);
        Assert.Equal(("b1:report", 2), (report.AnswerId, report.Undelivered.Count));
        Assert.Equal(IndexVerdicts.Blocked, report.Answer.PerUrl!["b1-1"].Index);
    }

    [Fact]
    public void GivenAReportNeverDone_WhenTheGiveUpTimeHasPassed_ThenEachUrlGetsACheckThatCouldNotTell()
    {
        var ledger = Awaiting();

        var given = Assert.IsType<ReportReceived>(QuotaLedgerDecider.Poll(ledger, "b1", new ReportPoll(false, null, "0 of 2 processed"), Options,
            T0 + Options.ReportGiveUpAfter, 0.5, Ids()));

        Assert.All(given.Answer.PerUrl!.Values, v => Assert.Equal(IndexVerdicts.Unknown, v.Index));
        Assert.Contains("given up", given.Answer.Detail);
    }

    [Fact]
    public void AskingAboutARequestThatIsNotAwaited_DecidesNothing() =>
        Assert.Null(QuotaLedgerDecider.Poll(Given(Spent("b1", 2)), "b1", new ReportPoll(true, null, "done"), Options, T0, 0.5, Ids()));
}
