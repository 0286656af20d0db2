using System.Collections.Immutable;
using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>A URL as the ledger keeps it: enough to answer its backlink and to reconcile a request after a crash.</summary>
/// <param name="Withdraw">the request tells the channel the URL is gone (a retired URL), instead of submitting it</param>
internal sealed record LedgerItem(string UrlHash, string Url, TimeSpan FirstCheckAfter, string? Campaign = null, bool Withdraw = false);

/// <summary>
/// What one URL's part of a request came to (requests whose parts are answered one by one, like Google's batch). For an
/// index check that was answered: <see cref="Index"/>, one of <c>IndexVerdicts</c> (with <see cref="Reason"/> naming a
/// blocking cause), the evidence in <see cref="Detail"/>, and what the check cost.
/// </summary>
internal sealed record UrlVerdict(string Outcome, string? Reason, string? Detail, string? Index = null, decimal? Cost = null);

/// <summary>
/// The answer to one request, as recorded: the status, the outcome for its URLs (accepted, deferred, unknown, refused,
/// or mixed with <see cref="PerUrl"/>), the units of quota it used, and the hold for unknown outcomes.
/// </summary>
/// <param name="Awaiting">the service reports on the accepted URLs later, asked by this token (first at <paramref name="PollAt"/>)</param>
internal sealed record RequestAnswer(
    int Status, string Outcome, string? Reason, string? Detail, long DurationMs, DateTimeOffset? HoldUntil, int UnitsUsed,
    IReadOnlyDictionary<string, UrlVerdict>? PerUrl = null, decimal? Cost = null, string? Awaiting = null, DateTimeOffset? PollAt = null);

/// <summary>How the quota grain paces itself, and what it knows of its credential, after the latest answer.</summary>
internal sealed record PaceState(
    DateTimeOffset? BackoffUntil = null,
    int Consecutive429 = 0,
    int ConsecutiveFailures = 0,
    int BatchSize = 0,
    DateTimeOffset? ParkedUntil = null,
    string? ParkReason = null,
    string CredentialState = CredentialStates.Ok,
    string? CredentialDetail = null,
    DateTimeOffset? CredentialSince = null,
    string? Fingerprint = null,
    long? Balance = null,
    bool BalanceLow = false,
    DateTimeOffset? BalanceLowSince = null);

/// <summary>What the quota grain knows of its credential.</summary>
internal static class CredentialStates
{
    public const string Ok = "ok";
    public const string Pending = "pending";
    public const string Invalid = "invalid";
}

internal interface IQuotaEvent : IDomainEvent
{
    DateTimeOffset At { get; }
}

/// <summary>A request's quota is reserved before it is sent (at most once: a crash after this cannot send it again).</summary>
internal sealed record QuotaReserved(Guid EventId, string BatchId, IReadOnlyList<LedgerItem> Items, string CredentialId, string Fingerprint, DateTimeOffset At) : IQuotaEvent;

/// <summary>A request was answered: what it came to for its URLs, and how the grain paces itself from now.</summary>
internal sealed record QuotaSettled(Guid EventId, string BatchId, RequestAnswer Answer, PaceState Pace, DateTimeOffset At) : IQuotaEvent;

/// <summary>Requests found in flight with their sender gone: whether they arrived cannot be known; their quota counts as used.</summary>
internal sealed record QuotaOutcomeUnknown(Guid EventId, IReadOnlyList<string> BatchIds, string Detail, DateTimeOffset HoldUntil, DateTimeOffset At) : IQuotaEvent;

/// <summary>Backlinks recorded answers: the URLs of each answer named (all of it when none are named).</summary>
internal sealed record AnswersAcknowledged(Guid EventId, IReadOnlyList<Acknowledgement> Acks, DateTimeOffset At) : IQuotaEvent;

internal sealed record Acknowledgement(string AnswerId, IReadOnlyList<string>? UrlHashes);

/// <summary>The credential became usable again (verified again, replaced) or was refused by the service.</summary>
internal sealed record CredentialStateChanged(Guid EventId, string State, string? Detail, string? Fingerprint, DateTimeOffset At) : IQuotaEvent;

/// <summary>A reported request was asked about and is not done: asked again at <see cref="NextPollAt"/>.</summary>
internal sealed record ReportPolled(Guid EventId, string BatchId, DateTimeOffset NextPollAt, string Detail, DateTimeOffset At) : IQuotaEvent;

/// <summary>A reported request's report arrived (each URL's verdict): it goes to the backlinks as index checks.</summary>
internal sealed record ReportReceived(Guid EventId, string BatchId, RequestAnswer Answer, DateTimeOffset At) : IQuotaEvent;

/// <summary>The whole ledger at this version: reads of the current state start here.</summary>
internal sealed record LedgerSnapshot(Guid EventId, QuotaLedger Ledger, DateTimeOffset At) : IQuotaEvent;

/// <summary>A request whose quota is reserved and whose outcome is not recorded yet.</summary>
internal sealed record Reservation(string BatchId, ImmutableList<LedgerItem> Items, string CredentialId, string Fingerprint, DateTimeOffset ReservedAt);

/// <summary>An answer kept until every backlink it concerns has recorded it (<see cref="Report"/>: a service's later report, delivered as index checks).</summary>
internal sealed record OutboxAnswer(string AnswerId, string BatchId, string Fingerprint, RequestAnswer Answer, DateTimeOffset At, ImmutableList<LedgerItem> Undelivered,
    bool Report = false);

/// <summary>Accepted URLs of a request the service reports on later (a vendor's task <see cref="Token"/>), asked about from <see cref="NextPollAt"/>.</summary>
internal sealed record AwaitedReport(string BatchId, string Token, string CredentialId, string Fingerprint, ImmutableList<LedgerItem> Items, DateTimeOffset Since,
    DateTimeOffset NextPollAt, int Polls = 0, string? Detail = null);

/// <summary>Units used in the window that started at <see cref="Start"/>.</summary>
internal sealed record WindowUse(DateTimeOffset Start, int Used);

/// <summary>
/// One quota grain's ledger, the fold of its events (stream <c>quota/{tenant}/{channel}/{quotaKey}</c>): use per window,
/// requests in flight, answers not yet delivered, and the pace. Pure: no clock, no I/O (ADR 0013).
/// </summary>
internal sealed record QuotaLedger(
    ImmutableDictionary<string, WindowUse> Used,
    ImmutableList<Reservation> InFlight,
    ImmutableList<OutboxAnswer> Outbox,
    PaceState Pace)
{
    public static readonly QuotaLedger Empty = new(ImmutableDictionary<string, WindowUse>.Empty, [], [], new PaceState());

    /// <summary>Requests taken by a service that reports on them later, until their report arrives.</summary>
    public ImmutableList<AwaitedReport> Awaited { get; init; } = [];

    /// <summary>Units reserved by requests in flight (they count against every window until settled).</summary>
    public int Reserved => InFlight.Sum(r => r.Items.Count);

    /// <summary>Units used in the window of <paramref name="window"/> containing <paramref name="now"/> (a later window starts at zero; an earlier clock still sees the latest window's use).</summary>
    public int UsedIn(QuotaWindow window, DateTimeOffset now) =>
        Used.TryGetValue(window.Name, out var use) && use.Start >= window.StartOf(now) ? use.Used : 0;

    /// <summary>What every limit still allows now beyond what is used and reserved.</summary>
    public int Available(IReadOnlyList<QuotaLimit> limits, DateTimeOffset now) =>
        limits.Count == 0 ? int.MaxValue : Math.Max(0, limits.Min(l => l.Limit - UsedIn(l.Window, now) - Reserved));

    /// <summary>When the tightest exhausted window opens again (now when nothing is exhausted).</summary>
    public DateTimeOffset NextRoom(IReadOnlyList<QuotaLimit> limits, DateTimeOffset now) =>
        limits.Where(l => l.Limit - UsedIn(l.Window, now) - Reserved <= 0).Select(l => l.Window.NextAfter(now)).DefaultIfEmpty(now).Max();

    public static QuotaLedger Evolve(QuotaLedger ledger, IQuotaEvent e) => e switch
    {
        QuotaReserved r => ledger with { InFlight = ledger.InFlight.Add(new Reservation(r.BatchId, [.. r.Items], r.CredentialId, r.Fingerprint, r.At)) },
        QuotaSettled s => Settled(ledger, s),
        QuotaOutcomeUnknown u => Unknown(ledger, u),
        AnswersAcknowledged a => Acknowledged(ledger, a),
        CredentialStateChanged c => ledger with
        {
            Pace = ledger.Pace with { CredentialState = c.State, CredentialDetail = c.Detail, CredentialSince = c.At, Fingerprint = c.Fingerprint ?? ledger.Pace.Fingerprint },
        },
        ReportPolled p => ledger.Awaited.FirstOrDefault(a => a.BatchId == p.BatchId) is { } polled
            ? ledger with { Awaited = ledger.Awaited.Replace(polled, polled with { NextPollAt = p.NextPollAt, Polls = polled.Polls + 1, Detail = p.Detail }) }
            : ledger,
        ReportReceived r => ledger.Awaited.FirstOrDefault(a => a.BatchId == r.BatchId) is { } received
            ? ledger with
            {
                Awaited = ledger.Awaited.Remove(received),
                Outbox = ledger.Outbox.Add(new OutboxAnswer($"{r.BatchId}:report", r.BatchId, received.Fingerprint, r.Answer, r.At, received.Items, Report: true)),
            }
            : ledger,
        LedgerSnapshot snapshot => snapshot.Ledger,
        _ => ledger,
    };

    private static QuotaLedger Settled(QuotaLedger ledger, QuotaSettled s)
    {
        var reservation = ledger.InFlight.FirstOrDefault(r => r.BatchId == s.BatchId);
        if (reservation is null)
            return ledger with { Pace = s.Pace }; // answered after another activation declared it unknown: counted then
        var answer = new OutboxAnswer($"{s.BatchId}:{s.Answer.Outcome}", s.BatchId, reservation.Fingerprint, s.Answer, s.At, reservation.Items);
        var awaited = ledger.Awaited;
        if (s.Answer.Awaiting is { } token)
        {
            var taken = reservation.Items.Where(i => s.Answer.Outcome == Outcomes.Accepted
                || s.Answer.PerUrl?.GetValueOrDefault(i.UrlHash)?.Outcome == Outcomes.Accepted).ToImmutableList();
            if (!taken.IsEmpty)
                awaited = awaited.Add(new AwaitedReport(s.BatchId, token, reservation.CredentialId, reservation.Fingerprint, taken, s.At, s.Answer.PollAt ?? s.At));
        }
        return ledger with
        {
            InFlight = ledger.InFlight.Remove(reservation),
            Used = Add(ledger.Used, s.Answer.UnitsUsed, s.At),
            Outbox = ledger.Outbox.Add(answer),
            Pace = s.Pace,
            Awaited = awaited,
        };
    }

    private static QuotaLedger Unknown(QuotaLedger ledger, QuotaOutcomeUnknown u)
    {
        foreach (var batch in u.BatchIds)
        {
            if (ledger.InFlight.FirstOrDefault(r => r.BatchId == batch) is not { } reservation)
                continue;
            var answer = new RequestAnswer(0, Outcomes.Unknown, null, u.Detail, 0, u.HoldUntil, reservation.Items.Count);
            ledger = ledger with
            {
                InFlight = ledger.InFlight.Remove(reservation),
                Used = Add(ledger.Used, reservation.Items.Count, u.At), // it may have been spent: count it, never spend it twice
                Outbox = ledger.Outbox.Add(new OutboxAnswer($"{batch}:{Outcomes.Unknown}", batch, reservation.Fingerprint, answer, u.At, reservation.Items)),
            };
        }
        return ledger;
    }

    private static QuotaLedger Acknowledged(QuotaLedger ledger, AnswersAcknowledged a)
    {
        var outbox = ledger.Outbox;
        foreach (var ack in a.Acks)
        {
            var index = outbox.FindIndex(o => o.AnswerId == ack.AnswerId);
            if (index < 0)
                continue;
            var left = ack.UrlHashes is null ? [] : outbox[index].Undelivered.RemoveAll(i => ack.UrlHashes.Contains(i.UrlHash));
            outbox = left.IsEmpty ? outbox.RemoveAt(index) : outbox.SetItem(index, outbox[index] with { Undelivered = left });
        }
        return ledger with { Outbox = outbox };
    }

    /// <summary>Adds used units to the windows of every limit the grain has seen, at <paramref name="at"/> (never moving a window back).</summary>
    private static ImmutableDictionary<string, WindowUse> Add(ImmutableDictionary<string, WindowUse> used, int units, DateTimeOffset at)
    {
        foreach (var name in WindowNames)
        {
            var window = QuotaWindow.Named(name);
            var start = window.StartOf(at);
            used = used.TryGetValue(name, out var current) && current.Start >= start
                ? used.SetItem(name, current with { Used = current.Used + units })
                : used.SetItem(name, new WindowUse(start, units));
        }
        return used;
    }

    /// <summary>Use is kept for every window kind, whichever a channel limits, so a limit added later sees the use.</summary>
    private static readonly string[] WindowNames = ["utc-day", "pacific-day", "minute"];
}

/// <summary>What a request's answer means for its URLs.</summary>
internal static class Outcomes
{
    /// <summary>The channel took the URL.</summary>
    public const string Accepted = "accepted";

    /// <summary>Not consumed (429, 5xx, never sent): the URL stays queued and is tried again.</summary>
    public const string Deferred = "deferred";

    /// <summary>Sent, but the answer was lost: not sent again on this channel before the hold ends.</summary>
    public const string Unknown = "unknown";

    /// <summary>The channel will not take the URL (a reason says why).</summary>
    public const string Refused = "refused";

    /// <summary>Each URL's part was answered on its own (<see cref="RequestAnswer.PerUrl"/>).</summary>
    public const string Mixed = "mixed";

    /// <summary>The request was refused as a whole for a reason its URLs alone explain: halves are sent to find them.</summary>
    public const string Split = "split";
}
