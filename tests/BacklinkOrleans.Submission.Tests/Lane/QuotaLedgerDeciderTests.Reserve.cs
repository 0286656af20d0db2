using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>The quota ledger's decisions as Given(events) / When(command) / Then(events), one partial file per command.</summary>
public sealed partial class QuotaLedgerDeciderTests
{
    [Fact]
    public void GivenNothingUsed_WhenReservingWithinTheLimit_ThenTheBatchIsInFlight_WithItsCredential()
    {
        var reserved = Reserve(Given(), "b1", 4, T0);

        Assert.NotNull(reserved);
        Assert.Equal(("b1", Credential, Fingerprint, T0, 4), (reserved.BatchId, reserved.CredentialId, reserved.Fingerprint, reserved.At, reserved.Items.Count));
        var ledger = Given(reserved);
        Assert.Equal(("b1", 4, 6), (Assert.Single(ledger.InFlight).BatchId, ledger.Reserved, ledger.Available(TenPerDay, T0)));
    }

    [Fact]
    public void GivenUseAndReservations_WhenReservingMoreThanIsLeft_ThenNothing_AndExactlyWhatIsLeftIsReserved()
    {
        var ledger = Given([.. Spent("b1", 4), Reserved("b2", 3)]);

        Assert.Null(Reserve(ledger, "b3", 4, T0));
        var rest = Reserve(ledger, "b3", 3, T0);
        Assert.NotNull(rest);
        Assert.Equal(0, Given([.. Spent("b1", 4), Reserved("b2", 3), rest]).Available(TenPerDay, T0));
    }

    [Fact]
    public void GivenTheDaySpent_WhenTheNextUtcDayStarts_ThenItsWholeLimitIsReserved()
    {
        var ledger = Given(Spent("b1", 10));

        Assert.Null(Reserve(ledger, "b2", 1, new DateTimeOffset(2026, 11, 24, 23, 59, 59, TimeSpan.Zero)));
        Assert.NotNull(Reserve(ledger, "b2", 10, new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void GivenEveryWindowsLimit_WhenAnyOneWindowIsSpent_ThenNothing_UntilThatWindowOpens()
    {
        QuotaLimit[] limits = [new(QuotaWindow.Minute, 3), new(QuotaWindow.UtcDay, 5)];
        var minuteSpent = Given(Spent("b1", 3));

        Assert.Null(Reserve(minuteSpent, "b2", 1, T0.AddSeconds(59), limits));                 // the minute is spent, the day is not
        Assert.NotNull(Reserve(minuteSpent, "b2", 2, T0.AddMinutes(1), limits));             // the next minute: what the day still allows
        Assert.Null(Reserve(minuteSpent, "b2", 3, T0.AddMinutes(1), limits));                // never more than the day allows

        var daySpent = Given([.. Spent("b1", 3), .. Spent("b2", 2, T0.AddMinutes(1))]);
        Assert.Null(Reserve(daySpent, "b3", 1, T0.AddMinutes(5), limits));                  // the minute has room, the day has none
    }

    [Fact]
    public void GivenABackoff_WhenReservingBeforeItEnds_ThenNothing_AndAfterItEnds_ThenReserved()
    {
        var ledger = Given(Reserved("b1", 1), Deferred("b1", new PaceState(BackoffUntil: T0.AddSeconds(30))));

        Assert.Null(Reserve(ledger, "b2", 1, T0.AddSeconds(29)));
        Assert.NotNull(Reserve(ledger, "b2", 1, T0.AddSeconds(30)));
    }

    [Fact]
    public void GivenAPark_WhenReservingBeforeItEnds_ThenNothing_AndAfterItEnds_ThenReserved()
    {
        var ledger = Given(Reserved("b1", 1), Deferred("b1", new PaceState(ParkedUntil: T0.AddHours(8), ParkReason: "quota spent")));

        Assert.Null(Reserve(ledger, "b2", 1, T0.AddHours(7)));
        Assert.NotNull(Reserve(ledger, "b2", 1, T0.AddHours(8)));
    }

    [Fact]
    public void GivenABatchInFlight_WhenReservingTheSameBatchAgain_ThenNothing() =>
        Assert.Null(Reserve(Given(Reserved("b1", 2)), "b1", 2, T0));

    [Fact]
    public void GivenNothing_WhenReservingNoUrls_ThenNothing() =>
        Assert.Null(Reserve(Given(), "b1", 0, T0));
}
