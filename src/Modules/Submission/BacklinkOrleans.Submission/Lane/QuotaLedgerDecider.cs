using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>What an answer teaches the quota grain about pacing itself and about its credential.</summary>
internal enum Pace
{
    /// <summary>Nothing to learn (a refusal about the URLs themselves).</summary>
    None,

    /// <summary>Taken: failures and backoff reset, the batch grows back.</summary>
    Success,

    /// <summary>Taken, but the service has not validated the credential yet (IndexNow's 202).</summary>
    Pending,

    /// <summary>Too many requests for now (429): back off, and halve the batch after repeated ones.</summary>
    TooMany,

    /// <summary>The request was too large (413): halve the batch.</summary>
    TooLarge,

    /// <summary>A server error, a timeout or no answer: back off.</summary>
    Failure,

    /// <summary>A quota of the service is spent until a known time (Google's per-day 429): park until then.</summary>
    Park,

    /// <summary>The service refused the credential itself (IndexNow's 403): nothing is sent with it until it is restored.</summary>
    CredentialInvalid,
}

/// <summary>
/// What a channel made of one request: the outcome for its URLs (see <see cref="Outcomes"/>), what it teaches
/// (<see cref="Pace"/>), and, for requests answered part by part, each URL's verdict. <see cref="UnitsUsed"/>: the quota
/// the request spent when it is not simply its URL count (null: the count when taken or unknown, none otherwise).
/// <see cref="Awaiting"/>: the service reports on the accepted URLs later, asked by this token (a vendor's task id).
/// <see cref="Balance"/>: the credits the account has left, when the service tells (<see cref="BalanceLow"/>: below
/// the credential's threshold).
/// </summary>
internal sealed record SendOutcome(
    int Status,
    string Outcome,
    string? Reason,
    string? Detail,
    long DurationMs,
    Pace Pace = Pace.None,
    TimeSpan? RetryAfter = null,
    DateTimeOffset? ParkUntil = null,
    IReadOnlyDictionary<string, UrlVerdict>? PerUrl = null,
    int? UnitsUsed = null,
    decimal? Cost = null,
    string? Awaiting = null,
    long? Balance = null,
    bool BalanceLow = false);

/// <summary>
/// The quota ledger's decisions, pure in the style of the backlink decider: commands carry <c>now</c> (and the
/// jitter's random number), and each decision is the events to append (null: nothing to do, or not allowed). Never
/// more than a limit reserved plus used in any window, whatever the order of commands (property-tested).
/// </summary>
internal static class QuotaLedgerDecider
{
    /// <summary>Reserves quota for a request; null when the limits, a park or a backoff do not allow it now.</summary>
    public static QuotaReserved? Reserve(QuotaLedger ledger, string batchId, IReadOnlyList<LedgerItem> items, string credentialId, string fingerprint,
        IReadOnlyList<QuotaLimit> limits, DateTimeOffset now, Func<Guid> newId)
    {
        if (items.Count == 0 || ledger.Pace.ParkedUntil > now || ledger.Pace.BackoffUntil > now || ledger.Available(limits, now) < items.Count
            || ledger.InFlight.Any(r => r.BatchId == batchId))
            return null;
        return new QuotaReserved(newId(), batchId, items, credentialId, fingerprint, now);
    }

    /// <summary>Records a request's answer and what it teaches; null when the request is not (or no longer) in flight.</summary>
    public static QuotaSettled? Settle(QuotaLedger ledger, string batchId, SendOutcome outcome, LaneOptions options, DateTimeOffset now,
        double random, Func<Guid> newId)
    {
        if (ledger.InFlight.FirstOrDefault(r => r.BatchId == batchId) is not { } reservation)
            return null;
        var units = outcome.UnitsUsed ?? (outcome.Outcome is Outcomes.Accepted or Outcomes.Unknown ? reservation.Items.Count : 0);
        var hold = outcome.Outcome == Outcomes.Unknown ? now + options.UnknownOutcomeHold : (DateTimeOffset?)null;
        var answer = new RequestAnswer(outcome.Status, outcome.Outcome, outcome.Reason, outcome.Detail, outcome.DurationMs, hold, units, outcome.PerUrl, outcome.Cost,
            outcome.Awaiting, outcome.Awaiting is null ? null : now + options.ReportFirstPoll);
        return new QuotaSettled(newId(), batchId, answer, Learn(ledger.Pace, outcome, reservation.Fingerprint, options, now, random), now);
    }

    /// <summary>
    /// What asking about a reported request came to: the report (<see cref="ReportReceived"/>) when it is done — or,
    /// after <see cref="LaneOptions.ReportGiveUpAfter"/>, a report that nothing could be told —, else the next time to
    /// ask, later each time (doubling from <see cref="LaneOptions.ReportFirstPoll"/> up to
    /// <see cref="LaneOptions.ReportPollMax"/>, with jitter). Null when the request is not awaited.
    /// </summary>
    public static IQuotaEvent? Poll(QuotaLedger ledger, string batchId, ReportPoll poll, LaneOptions options, DateTimeOffset now, double random, Func<Guid> newId)
    {
        if (ledger.Awaited.FirstOrDefault(a => a.BatchId == batchId) is not { } awaited)
            return null;
        if (poll.Done)
            return new ReportReceived(newId(), batchId, new RequestAnswer(200, Outcomes.Mixed, null, poll.Detail, 0, null, 0, poll.PerUrl), now);
        if (now - awaited.Since >= options.ReportGiveUpAfter)
        {
            var why = $"no report {options.ReportGiveUpAfter.TotalDays:0.#} days after the request was taken ({poll.Detail}); given up";
            return new ReportReceived(newId(), batchId, new RequestAnswer(200, Outcomes.Mixed, null, why, 0, null, 0,
                awaited.Items.ToDictionary(i => i.UrlHash, _ => new UrlVerdict(Outcomes.Accepted, null, why, IndexVerdicts.Unknown))), now);
        }
        var wait = Math.Min(options.ReportPollMax.TotalSeconds, options.ReportFirstPoll.TotalSeconds * Math.Pow(2, Math.Min(awaited.Polls + 1, 20)));
        return new ReportPolled(newId(), batchId, now + TimeSpan.FromSeconds(wait * (0.9 + (0.2 * random))), poll.Detail, now);
    }

    /// <summary>Requests found in flight with no sender: their outcome is unknown; held a full day after the latest moment they could have left.</summary>
    public static QuotaOutcomeUnknown? MarkUnknown(QuotaLedger ledger, IReadOnlyList<string> batchIds, string why, LaneOptions options,
        DateTimeOffset now, Func<Guid> newId)
    {
        var found = batchIds.Where(b => ledger.InFlight.Any(r => r.BatchId == b)).ToList();
        return found.Count == 0 ? null : new QuotaOutcomeUnknown(newId(), found, $"Outcome unknown: {why}.", now + options.MaxSendDuration + options.UnknownOutcomeHold, now);
    }

    /// <summary>Records that backlinks have the answers; null when nothing new is acknowledged.</summary>
    public static AnswersAcknowledged? Acknowledge(QuotaLedger ledger, IReadOnlyDictionary<string, HashSet<string>> delivered, DateTimeOffset now, Func<Guid> newId)
    {
        var acks = new List<Acknowledgement>();
        foreach (var answer in ledger.Outbox)
        {
            if (!delivered.TryGetValue(answer.AnswerId, out var hashes))
                continue;
            var undelivered = answer.Undelivered.Where(i => !hashes.Contains(i.UrlHash)).ToList();
            if (undelivered.Count == answer.Undelivered.Count)
                continue;
            acks.Add(new Acknowledgement(answer.AnswerId, undelivered.Count == 0 ? null : [.. hashes.Where(h => answer.Undelivered.Any(i => i.UrlHash == h))]));
        }
        return acks.Count == 0 ? null : new AnswersAcknowledged(newId(), acks, now);
    }

    /// <summary>The credential's state changes (restored, refused); null when it is that already.</summary>
    public static CredentialStateChanged? ChangeCredential(QuotaLedger ledger, string state, string? detail, string? fingerprint, DateTimeOffset now, Func<Guid> newId) =>
        ledger.Pace.CredentialState == state && (fingerprint is null || ledger.Pace.Fingerprint == fingerprint)
            ? null
            : new CredentialStateChanged(newId(), state, detail, fingerprint, now);

    /// <summary>The batch size a grain uses: its learned size within the configured cap.</summary>
    public static int BatchSize(PaceState pace, LaneOptions options) => pace.BatchSize <= 0 ? options.MaxBatchSize : Math.Min(pace.BatchSize, options.MaxBatchSize);

    private static PaceState Learn(PaceState pace, SendOutcome outcome, string fingerprint, LaneOptions options, DateTimeOffset now, double random)
    {
        pace = pace with { BatchSize = BatchSize(pace, options) };
        if (outcome.Balance is { } balance)
            pace = pace with
            {
                Balance = balance, BalanceLow = outcome.BalanceLow,
                BalanceLowSince = outcome.BalanceLow ? (pace.BalanceLow ? pace.BalanceLowSince ?? now : now) : null,
            };
        switch (outcome.Pace)
        {
            case Pace.Success or Pace.Pending:
                var state = outcome.Pace == Pace.Pending ? CredentialStates.Pending : CredentialStates.Ok;
                pace = pace with { Consecutive429 = 0, ConsecutiveFailures = 0, BackoffUntil = null, BatchSize = Backoff.AfterSuccess(pace.BatchSize, options) };
                return pace.CredentialState == state ? pace : pace with
                {
                    CredentialState = state,
                    CredentialDetail = state == CredentialStates.Pending ? outcome.Detail ?? "Received; the service has not validated the credential yet." : null,
                    CredentialSince = now,
                };
            case Pace.TooMany:
                var tooMany = pace.Consecutive429 + 1;
                return pace with
                {
                    Consecutive429 = tooMany,
                    BatchSize = Backoff.AfterTooManyRequests(pace.BatchSize, tooMany, options),
                    BackoffUntil = now + Backoff.Next(tooMany, outcome.RetryAfter, options, random),
                };
            case Pace.TooLarge:
                return pace with { BatchSize = Math.Max(1, pace.BatchSize / 2) };
            case Pace.Failure:
                var failures = pace.ConsecutiveFailures + 1;
                return pace with { ConsecutiveFailures = failures, BackoffUntil = now + Backoff.Next(failures, outcome.RetryAfter, options, random) };
            case Pace.Park:
                return pace with { ParkedUntil = outcome.ParkUntil, ParkReason = outcome.Detail };
            case Pace.CredentialInvalid:
                // The request's credential was refused: the grain refuses URLs without a request only while it is that one.
                return pace with { CredentialState = CredentialStates.Invalid, CredentialDetail = outcome.Detail, CredentialSince = now, Fingerprint = fingerprint };
            default:
                return pace;
        }
    }
}
