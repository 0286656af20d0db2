using System.Collections.Immutable;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>Where each kind of quota window starts and ends, and how the ledger counts use and reservations in one.</summary>
public sealed class QuotaWindowTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int second = 0) => new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(12, 30, 15)]
    [InlineData(23, 59, 59)]
    public void TheUtcDay_RunsFromUtcMidnightToTheNext(int hour, int minute, int second)
    {
        var at = Utc(11, 24, hour, minute, second);
        Assert.Equal(Utc(11, 24, 0), QuotaWindow.UtcDay.StartOf(at));
        Assert.Equal(Utc(11, 25, 0), QuotaWindow.UtcDay.NextAfter(at));
    }

    [Fact]
    public void ThePacificDay_StartsAtMidnightInLosAngeles_EightHoursBehindUtcInWinter()
    {
        Assert.Equal(Utc(11, 24, 8), QuotaWindow.PacificDay.StartOf(Utc(11, 24, 9)));
        Assert.Equal(Utc(11, 23, 8), QuotaWindow.PacificDay.StartOf(Utc(11, 24, 7, 59))); // still the 23rd in California
        Assert.Equal(Utc(11, 25, 8), QuotaWindow.PacificDay.NextAfter(Utc(11, 24, 9)));
    }

    [Fact]
    public void ThePacificDay_IsSevenHoursBehindUtcInSummer()
    {
        Assert.Equal(Utc(7, 1, 7), QuotaWindow.PacificDay.StartOf(Utc(7, 1, 12)));
        Assert.Equal(Utc(7, 2, 7), QuotaWindow.PacificDay.NextAfter(Utc(7, 1, 12)));
    }

    [Fact]
    public void ThePacificDay_WhenClocksSpringForward_Is23HoursLong()
    {
        // 8 March 2026: 2 am PST becomes 3 am PDT.
        var start = QuotaWindow.PacificDay.StartOf(Utc(3, 8, 20));
        var next = QuotaWindow.PacificDay.NextAfter(Utc(3, 8, 20));
        Assert.Equal((Utc(3, 8, 8), Utc(3, 9, 7)), (start, next));
        Assert.Equal(TimeSpan.FromHours(23), next - start);
    }

    [Fact]
    public void ThePacificDay_WhenClocksFallBack_Is25HoursLong()
    {
        // 1 November 2026: 2 am PDT becomes 1 am PST; the day's second 1:30 am is still that day.
        var start = QuotaWindow.PacificDay.StartOf(Utc(11, 1, 9, 30));
        var next = QuotaWindow.PacificDay.NextAfter(Utc(11, 1, 9, 30));
        Assert.Equal((Utc(11, 1, 7), Utc(11, 2, 8)), (start, next));
        Assert.Equal(TimeSpan.FromHours(25), next - start);
        Assert.Equal(start, QuotaWindow.PacificDay.StartOf(Utc(11, 2, 7, 59)));
    }

    [Fact]
    public void TheMinute_IsTheClockMinute()
    {
        Assert.Equal(Utc(11, 24, 12, 34), QuotaWindow.Minute.StartOf(Utc(11, 24, 12, 34, 59)));
        Assert.Equal(Utc(11, 24, 12, 35), QuotaWindow.Minute.NextAfter(Utc(11, 24, 12, 34, 0)));
        Assert.Equal(Utc(11, 25, 0, 0), QuotaWindow.Minute.NextAfter(Utc(11, 24, 23, 59, 30)));
    }

    [Fact]
    public void WindowsAreFoundByTheirStoredNames_AndAnUnknownNameIsRefused()
    {
        Assert.Same(QuotaWindow.UtcDay, QuotaWindow.Named("utc-day"));
        Assert.Same(QuotaWindow.PacificDay, QuotaWindow.Named("pacific-day"));
        Assert.Same(QuotaWindow.Minute, QuotaWindow.Named("minute"));
        Assert.Throws<ArgumentException>(() => QuotaWindow.Named("fortnight"));
    }

    [Fact]
    public void TheLedger_CountsUseAndReservationsInTheWindow_AndANewWindowStartsAtZero_WhileReservationsStillCount()
    {
        var t0 = Utc(11, 24, 23, 59);
        var ledger = QuotaLedger.Empty with
        {
            Used = ImmutableDictionary<string, WindowUse>.Empty.Add("utc-day", new WindowUse(Utc(11, 24, 0), 9_000)),
            InFlight = [new Reservation("b", [new LedgerItem("a", "https://example.com/a", TimeSpan.Zero), new LedgerItem("b", "https://example.com/b", TimeSpan.Zero)],
                "cred-1", "key:1", t0)],
        };
        QuotaLimit[] limits = [new(QuotaWindow.UtcDay, 10_000)];

        Assert.Equal((9_000, 2, 998), (ledger.UsedIn(QuotaWindow.UtcDay, t0), ledger.Reserved, ledger.Available(limits, t0)));
        var tomorrow = t0.AddMinutes(2);
        Assert.Equal((0, 9_998), (ledger.UsedIn(QuotaWindow.UtcDay, tomorrow), ledger.Available(limits, tomorrow)));
        Assert.Equal(int.MaxValue, ledger.Available([], t0)); // a channel without limits
    }

    [Fact]
    public void TheNextRoom_IsWhenTheLatestExhaustedWindowOpens_OrNowWhenNoneIs()
    {
        var now = Utc(11, 24, 12, 30, 10);
        var ledger = QuotaLedger.Empty with
        {
            Used = ImmutableDictionary<string, WindowUse>.Empty
                .Add("minute", new WindowUse(Utc(11, 24, 12, 30), 10))
                .Add("pacific-day", new WindowUse(Utc(11, 24, 8), 200)),
        };

        Assert.Equal(Utc(11, 24, 12, 31), ledger.NextRoom([new(QuotaWindow.Minute, 10), new(QuotaWindow.PacificDay, 1_000)], now));
        Assert.Equal(Utc(11, 25, 8), ledger.NextRoom([new(QuotaWindow.Minute, 10), new(QuotaWindow.PacificDay, 200)], now));
        Assert.Equal(now, ledger.NextRoom([new(QuotaWindow.Minute, 11)], now));
    }
}
