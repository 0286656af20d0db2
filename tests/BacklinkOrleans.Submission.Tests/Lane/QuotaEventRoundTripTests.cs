using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>A quota event that cannot be stored or read back blocks its quota grain forever: every type is round-tripped.</summary>
public sealed class QuotaEventRoundTripTests
{
    private static readonly EventTypeRegistry Registry = new(SubmissionModule.QuotaEventTypes.Select(t => new EventTypeRegistration(t.Alias, t.Type, t.Snapshot)));

    /// <summary>A ledger with something in every part: use in every window, a batch in flight, an undelivered mixed answer, a pace.</summary>
    private static readonly QuotaLedger Busy = Given(
        Reserved("b1", 3),
        new QuotaSettled(Guid.NewGuid(), "b1", new RequestAnswer(200, Outcomes.Mixed, null, "per URL", 40, null, 2,
            new Dictionary<string, UrlVerdict>
            {
                ["b1-0"] = new(Outcomes.Accepted, null, null),
                ["b1-1"] = new(Outcomes.Accepted, null, null),
                ["b1-2"] = new(Outcomes.Refused, "channel-rejected", "not owned"),
            }, 0.002m, Awaiting: "task-1", PollAt: T0.AddHours(1)),
            new PaceState(BackoffUntil: T0.AddMinutes(1), Consecutive429: 1, BatchSize: 500, Fingerprint: Fingerprint, Balance: 40, BalanceLow: true), T0),
        Reserved("b2", 2));

    private static readonly IQuotaEvent[] Samples =
    [
        Reserved("b1", 3),
        Accepted("b1", 3, pace: new PaceState(ParkedUntil: T0.AddHours(8), ParkReason: "daily quota", CredentialState: CredentialStates.Pending, CredentialSince: T0)),
        new QuotaOutcomeUnknown(Guid.NewGuid(), ["b1", "b2"], "Outcome unknown: gone.", T0.AddDays(1), T0),
        new AnswersAcknowledged(Guid.NewGuid(), [new Acknowledgement("b1:accepted", null), new Acknowledgement("b2:mixed", ["h1", "h2"])], T0),
        new CredentialStateChanged(Guid.NewGuid(), CredentialStates.Invalid, "HTTP 403", Fingerprint, T0),
        new ReportPolled(Guid.NewGuid(), "b1", T0.AddHours(2), "task-1: 3 of 10 processed", T0),
        new ReportReceived(Guid.NewGuid(), "b1", new RequestAnswer(200, Outcomes.Mixed, null, "task-1: 1 indexed", 0, null, 0,
            new Dictionary<string, UrlVerdict> { ["b1-0"] = new(Outcomes.Accepted, "noindex", "vendor task task-1: noindex", "blocked", 0.01m) }), T0),
        new LedgerSnapshot(Guid.NewGuid(), Busy, T0),
    ];

    [Fact]
    public void AnAwaitedReport_SurvivesTheSnapshot()
    {
        var stored = Registry.ToEventData(new LedgerSnapshot(Guid.NewGuid(), Busy, T0));
        var read = (LedgerSnapshot)Registry.Deserialize(stored.Type, stored.Data);

        var awaited = Assert.Single(read.Ledger.Awaited);
        Assert.Equal(("b1", "task-1", T0.AddHours(1), 2), (awaited.BatchId, awaited.Token, awaited.NextPollAt, awaited.Items.Count));
        Assert.Equal((40L, true), (read.Ledger.Pace.Balance, read.Ledger.Pace.BalanceLow));
    }

    public static TheoryData<string> Aliases() => [.. SubmissionModule.QuotaEventTypes.Select(t => t.Alias)];

    [Theory]
    [MemberData(nameof(Aliases))]
    public void EveryQuotaEventType_RoundTripsThroughItsAlias(string alias)
    {
        var (_, type, snapshot) = SubmissionModule.QuotaEventTypes.Single(t => t.Alias == alias);
        var samples = Samples.Where(s => s.GetType() == type).ToList();
        Assert.NotEmpty(samples);

        foreach (var sample in samples)
        {
            var stored = Registry.ToEventData(sample);
            var read = Registry.Deserialize(stored.Type, stored.Data);

            Assert.Equal((alias, snapshot), (stored.Type, stored.IsSnapshot));
            Assert.IsType(type, read);
            Assert.Equal(stored.Data, JsonSerializer.Serialize(read, type, EventTypeRegistry.JsonOptions));
            Assert.Equal(sample.EventId, read.EventId);
        }
    }

    [Fact]
    public void ALedgerReadBackFromItsSnapshot_DecidesAsTheLedgerItWasTakenFrom()
    {
        var stored = Registry.ToEventData(new LedgerSnapshot(Guid.NewGuid(), Busy, T0));
        var read = ((LedgerSnapshot)Registry.Deserialize(stored.Type, stored.Data)).Ledger;

        var now = T0.AddMinutes(2);
        Assert.Equal((Busy.UsedIn(QuotaWindow.UtcDay, now), Busy.Reserved, Busy.Available(TenPerDay, now)),
            (read.UsedIn(QuotaWindow.UtcDay, now), read.Reserved, read.Available(TenPerDay, now)));
        Assert.Equal(Busy.Pace, read.Pace);
        Assert.Equal(Busy.Outbox.Single().Answer.PerUrl!.OrderBy(p => p.Key), read.Outbox.Single().Answer.PerUrl!.OrderBy(p => p.Key));
        Assert.Equal(Busy.Outbox.Single().Undelivered, read.Outbox.Single().Undelivered);
        Assert.Equal(Busy.InFlight.Single().Items, read.InFlight.Single().Items);
        Assert.Equal(Busy.Used.OrderBy(u => u.Key), read.Used.OrderBy(u => u.Key));
    }
}
