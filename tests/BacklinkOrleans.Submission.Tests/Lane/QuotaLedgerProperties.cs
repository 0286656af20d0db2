using BacklinkOrleans.Submission.Lane;
using FsCheck;
using FsCheck.Xunit;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>The ledger's promise, whatever happens in whatever order: no window ever holds more than its limit.</summary>
public sealed class QuotaLedgerProperties
{
    /// <summary>A minute, a UTC day and a Pacific day at once, small enough that every one of them runs out.</summary>
    private static readonly QuotaLimit[] Limits = [new(QuotaWindow.Minute, 7), new(QuotaWindow.UtcDay, 20), new(QuotaWindow.PacificDay, 25)];

    private static readonly SendOutcome[] Answers =
    [
        Ok,
        Answer(202, Outcomes.Accepted, Pace.Pending),
        Answer(429, Outcomes.Deferred, Pace.TooMany, retryAfter: TimeSpan.FromSeconds(5)),
        Answer(503, Outcomes.Deferred, Pace.Failure),
        Answer(0, Outcomes.Unknown, Pace.Failure),
        Answer(410, Outcomes.Refused, Pace.None),
        Answer(422, Outcomes.Split, Pace.None),
        Answer(413, Outcomes.Deferred, Pace.TooLarge),
        Answer(200, Outcomes.Accepted, Pace.Success, units: 1),
    ];

    [Property(MaxTest = 300)]
    public void UsedAndReserved_NeverExceedAnyWindowsLimit_ForAnyOrderOfCommands(int seed, PositiveInt length)
    {
        var random = new Random(seed);
        var now = new DateTimeOffset(2026, 3, 7, 23, 0, 0, TimeSpan.Zero); // the steps cross days, and a DST change in Los Angeles
        var ledger = QuotaLedger.Empty;
        var batches = 0;
        for (var step = 0; step < length.Get % 200; step++)
        {
            now += random.Next(4) switch
            {
                0 => TimeSpan.Zero,
                1 => TimeSpan.FromSeconds(random.Next(1, 30)),
                2 => TimeSpan.FromSeconds(random.Next(30, 90)),
                _ => TimeSpan.FromHours(random.Next(1, 9)),
            };
            IQuotaEvent? e = random.Next(5) switch
            {
                0 or 1 => QuotaLedgerDecider.Reserve(ledger, $"b{++batches}", Items($"b{batches}", random.Next(1, 9)), Credential, Fingerprint, Limits, now, Guid.NewGuid),
                2 when ledger.InFlight.Count > 0 => QuotaLedgerDecider.Settle(ledger, ledger.InFlight[random.Next(ledger.InFlight.Count)].BatchId,
                    Answers[random.Next(Answers.Length)], Options, now, random.NextDouble(), Guid.NewGuid),
                3 when ledger.InFlight.Count > 0 => QuotaLedgerDecider.MarkUnknown(ledger, [ledger.InFlight[random.Next(ledger.InFlight.Count)].BatchId], "gone",
                    Options, now, Guid.NewGuid),
                4 when ledger.Outbox.Count > 0 => QuotaLedgerDecider.Acknowledge(ledger,
                    new Dictionary<string, HashSet<string>> { [ledger.Outbox[0].AnswerId] = [.. ledger.Outbox[0].Undelivered.Take(random.Next(1, 4)).Select(i => i.UrlHash)] },
                    now, Guid.NewGuid),
                _ => null,
            };
            if (e is null)
                continue;
            ledger = QuotaLedger.Evolve(ledger, e);
            foreach (var limit in Limits)
                Assert.True(ledger.UsedIn(limit.Window, now) + ledger.Reserved <= limit.Limit,
                    $"{limit.Window.Name}: {ledger.UsedIn(limit.Window, now)} used + {ledger.Reserved} reserved > {limit.Limit} at {now:u} after {e.GetType().Name}");
            Assert.True(ledger.Available(Limits, now) >= 0);
        }
    }
}
