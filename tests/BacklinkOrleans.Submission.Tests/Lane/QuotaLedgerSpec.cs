using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>Given(events) / When(command) / Then(events) for the quota ledger's decider.</summary>
internal static class QuotaLedgerSpec
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    public const string Credential = "cred-1";
    public const string Fingerprint = "key:1a2b3c4d";

    public static readonly LaneOptions Options = new()
    {
        MaxBatchSize = 1_000,
        BackoffBase = TimeSpan.FromSeconds(30),
        BackoffMax = TimeSpan.FromHours(1),
        RequestTimeout = TimeSpan.FromSeconds(30),
        InlineRetries = 2,
        InlineRetryMaxDelay = TimeSpan.FromSeconds(2),
        UnknownOutcomeHold = TimeSpan.FromHours(24),
    };

    /// <summary>Ten URLs per UTC day: small enough to spend in a test.</summary>
    public static readonly QuotaLimit[] TenPerDay = [new(QuotaWindow.UtcDay, 10)];

    public static QuotaLedger Given(params IQuotaEvent[] events) => events.Aggregate(QuotaLedger.Empty, QuotaLedger.Evolve);

    /// <summary>Event ids 1, 2, 3, … so decisions compare equal.</summary>
    public static Func<Guid> Ids()
    {
        var n = 0;
        return () => new Guid(++n, 0, 0, new byte[8]);
    }

    public static IReadOnlyList<LedgerItem> Items(string batch, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LedgerItem($"{batch}-{i}", $"https://example.com/{batch}/{i}", TimeSpan.FromHours(1), "c1"))];

    public static QuotaReserved? Reserve(QuotaLedger ledger, string batch, int count, DateTimeOffset now, IReadOnlyList<QuotaLimit>? limits = null) =>
        QuotaLedgerDecider.Reserve(ledger, batch, Items(batch, count), Credential, Fingerprint, limits ?? TenPerDay, now, Ids());

    public static QuotaSettled? Settle(QuotaLedger ledger, string batch, SendOutcome outcome, DateTimeOffset now, double random = 1.0) =>
        QuotaLedgerDecider.Settle(ledger, batch, outcome, Options, now, random, Ids());

    // Events of a typical ledger.
    public static QuotaReserved Reserved(string batch, int count, DateTimeOffset? at = null) =>
        new(Guid.NewGuid(), batch, Items(batch, count), Credential, Fingerprint, at ?? T0);

    public static QuotaSettled Accepted(string batch, int units, DateTimeOffset? at = null, PaceState? pace = null) =>
        new(Guid.NewGuid(), batch, new RequestAnswer(200, Outcomes.Accepted, null, null, 40, null, units), pace ?? new PaceState(), at ?? T0);

    public static QuotaSettled Deferred(string batch, PaceState pace, DateTimeOffset? at = null) =>
        new(Guid.NewGuid(), batch, new RequestAnswer(429, Outcomes.Deferred, null, null, 40, null, 0), pace, at ?? T0);

    /// <summary>Reserved and accepted at <paramref name="at"/>: <paramref name="count"/> units used.</summary>
    public static IQuotaEvent[] Spent(string batch, int count, DateTimeOffset? at = null) => [Reserved(batch, count, at), Accepted(batch, count, at)];

    // Answers as a channel classifies them.
    public static SendOutcome Answer(int status, string outcome, Pace pace, TimeSpan? retryAfter = null, string? detail = null, int? units = null) =>
        new(status, outcome, outcome == Outcomes.Refused ? "channel-rejected" : null, detail, 40, pace, retryAfter, UnitsUsed: units);

    public static readonly SendOutcome Ok = Answer(200, Outcomes.Accepted, Pace.Success);
}
