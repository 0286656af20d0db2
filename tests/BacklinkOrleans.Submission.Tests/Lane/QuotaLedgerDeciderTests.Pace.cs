using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

// What each answer teaches the ledger's pace: backoff, batch size, park, the credential's state.
public sealed partial class QuotaLedgerDeciderTests
{
    /// <summary>A batch of ten reserved and answered at <paramref name="at"/>, with the jitter at its top (<paramref name="random"/> 1).</summary>
    private static QuotaLedger Answered(QuotaLedger ledger, SendOutcome outcome, DateTimeOffset? at = null)
    {
        var batch = $"b{ledger.Outbox.Count + 1}";
        ledger = QuotaLedger.Evolve(ledger, Reserved(batch, 10, at));
        return QuotaLedger.Evolve(ledger, Settle(ledger, batch, outcome, at ?? T0)!);
    }

    [Fact]
    public void GivenRepeated429s_ThenTheLedgerBacksOffLonger_HonoursRetryAfter_AndHalvesTheBatchFromTheSecond()
    {
        var once = Answered(Given(), Answer(429, Outcomes.Deferred, Pace.TooMany));
        Assert.Equal((1, 1_000, T0.AddSeconds(30)), (once.Pace.Consecutive429, once.Pace.BatchSize, once.Pace.BackoffUntil!.Value));

        var twice = Answered(once, Answer(429, Outcomes.Deferred, Pace.TooMany, retryAfter: TimeSpan.FromMinutes(5)));
        Assert.Equal((2, 500, T0.AddMinutes(5)), (twice.Pace.Consecutive429, twice.Pace.BatchSize, twice.Pace.BackoffUntil!.Value));
        Assert.Equal(500, QuotaLedgerDecider.BatchSize(twice.Pace, Options));
    }

    [Fact]
    public void GivenBackingOff_WhenAccepted_ThenTheBackoffEnds_AndTheBatchGrowsBack()
    {
        var backingOff = Answered(Answered(Given(), Answer(429, Outcomes.Deferred, Pace.TooMany)), Answer(429, Outcomes.Deferred, Pace.TooMany));

        var recovered = Answered(backingOff, Ok);
        Assert.Equal((0, 0, (DateTimeOffset?)null, 1_000), (recovered.Pace.Consecutive429, recovered.Pace.ConsecutiveFailures, recovered.Pace.BackoffUntil, recovered.Pace.BatchSize));
    }

    [Fact]
    public void GivenAServerFailure_ThenTheLedgerBacksOff_WithoutShrinkingTheBatch()
    {
        var failed = Answered(Given(), Answer(0, Outcomes.Unknown, Pace.Failure));
        Assert.Equal((1, T0.AddSeconds(30), 1_000), (failed.Pace.ConsecutiveFailures, failed.Pace.BackoffUntil!.Value, failed.Pace.BatchSize));

        var again = Answered(failed, Answer(503, Outcomes.Deferred, Pace.Failure));
        Assert.Equal((2, T0.AddMinutes(1)), (again.Pace.ConsecutiveFailures, again.Pace.BackoffUntil!.Value));
    }

    [Fact]
    public void GivenA413_ThenTheBatchHalves_WithoutABackoff()
    {
        var tooLarge = Answered(Given(), Answer(413, Outcomes.Deferred, Pace.TooLarge));
        Assert.Equal((500, (DateTimeOffset?)null), (tooLarge.Pace.BatchSize, tooLarge.Pace.BackoffUntil));
    }

    [Fact]
    public void GivenA202_ThenTheCredentialIsPending_UntilAPlainAcceptance()
    {
        var pending = Answered(Given(), Answer(202, Outcomes.Accepted, Pace.Pending));
        Assert.Equal((CredentialStates.Pending, T0), (pending.Pace.CredentialState, pending.Pace.CredentialSince!.Value));
        Assert.Contains("not validated", pending.Pace.CredentialDetail);

        var ok = Answered(pending, Ok, T0.AddHours(1));
        Assert.Equal((CredentialStates.Ok, null, T0.AddHours(1)), (ok.Pace.CredentialState, ok.Pace.CredentialDetail, ok.Pace.CredentialSince!.Value));
    }

    [Fact]
    public void GivenA403_ThenTheCredentialItWasSentWithIsInvalid_WithWhatTheServiceSaid()
    {
        var refused = Answered(Given(), Answer(403, Outcomes.Refused, Pace.CredentialInvalid, detail: "HTTP 403: key file mismatch"));
        Assert.Equal((CredentialStates.Invalid, "HTTP 403: key file mismatch", T0, Fingerprint),
            (refused.Pace.CredentialState, refused.Pace.CredentialDetail, refused.Pace.CredentialSince!.Value, refused.Pace.Fingerprint));
        Assert.Equal(0, refused.UsedIn(QuotaWindow.UtcDay, T0));
    }

    [Fact]
    public void GivenAQuotaSpentUntilAKnownTime_ThenTheLedgerParksUntilThen()
    {
        var midnightPacific = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        var parked = Answered(Given(), new SendOutcome(429, Outcomes.Deferred, null, "per-day quota spent", 40, Pace.Park, ParkUntil: midnightPacific));

        Assert.Equal((midnightPacific, "per-day quota spent"), (parked.Pace.ParkedUntil!.Value, parked.Pace.ParkReason));
    }

    [Fact]
    public void TheBatchSize_IsTheConfiguredOneUntilLearned_AndNeverAboveIt()
    {
        Assert.Equal(1_000, QuotaLedgerDecider.BatchSize(new PaceState(), Options));
        Assert.Equal(250, QuotaLedgerDecider.BatchSize(new PaceState(BatchSize: 250), Options));
        Assert.Equal(1_000, QuotaLedgerDecider.BatchSize(new PaceState(BatchSize: 5_000), Options));
    }
}
