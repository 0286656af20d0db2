using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>A POST whose quota is reserved and whose outcome is not recorded yet.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.indexnow-in-flight")]
internal sealed record InFlightBatch(
    [property: Id(0)] string BatchId,
    [property: Id(1)] IReadOnlyList<QueuedUrl> Urls,
    [property: Id(2)] DateTimeOffset ReservedAt,
    [property: Id(3)] string Fingerprint);

/// <summary>A channel's answer for the URLs of one request, kept until every backlink has recorded it.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.indexnow-answer")]
internal sealed record PendingAnswer(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string Fingerprint,
    [property: Id(2)] int Status,
    [property: Id(3)] string Outcome,
    [property: Id(4)] string? FailureReason,
    [property: Id(5)] string? Excerpt,
    [property: Id(6)] long DurationMs,
    [property: Id(7)] DateTimeOffset At,
    [property: Id(8)] DateTimeOffset? HoldUntil,
    [property: Id(9)] IReadOnlyList<QueuedUrl> Urls)
{
    /// <summary>
    /// Identifies the answer: its request and outcome. Two activations may both answer for one request (one declares it
    /// unknown, the other learns what happened); both are delivered, each once.
    /// </summary>
    public string AnswerId => $"{BatchId}:{Outcome}";
}

/// <summary>
/// What a key grain persists (grain storage, ETag-guarded): the day's usage, reservations in flight, answers not yet
/// delivered, the backoff and the key's state. The queue itself is not persisted: backlinks own their retries.
/// </summary>
[GenerateSerializer, Alias("backlink-orleans.indexnow-key-ledger")]
internal sealed class KeyLedger
{
    [Id(0)] public DateOnly WindowDay { get; set; }
    [Id(1)] public int Used { get; set; }
    [Id(2)] public List<InFlightBatch> InFlight { get; set; } = [];
    [Id(3)] public List<PendingAnswer> Outbox { get; set; } = [];
    [Id(4)] public DateTimeOffset? BackoffUntil { get; set; }
    [Id(5)] public int Consecutive429 { get; set; }
    [Id(6)] public int ConsecutiveFailures { get; set; }
    [Id(7)] public int BatchSize { get; set; }
    [Id(8)] public string KeyState { get; set; } = KeyStates.Ok;
    [Id(9)] public string? KeyDetail { get; set; }
    [Id(10)] public DateTimeOffset? KeyStateSince { get; set; }
    [Id(11)] public string? Fingerprint { get; set; }

    public int Reserved => InFlight.Sum(b => b.Urls.Count);

    /// <summary>
    /// URLs counted against <paramref name="now"/>'s UTC day: a new day starts at zero; a clock behind the window
    /// already started (a silo whose clock is late) still counts the window's usage — the window never goes back.
    /// </summary>
    public int UsedOn(DateTimeOffset now) => Day(now) > WindowDay ? 0 : Used;

    /// <summary>What today's window still allows beyond what is used and reserved.</summary>
    public int Available(DateTimeOffset now, int limit) => Math.Max(0, limit - UsedOn(now) - Reserved);

    /// <summary>Starts a new window when a new UTC day has begun (never goes back to an earlier one).</summary>
    public void Roll(DateTimeOffset now)
    {
        if (Day(now) <= WindowDay)
            return;
        WindowDay = Day(now);
        Used = 0;
    }

    public static DateOnly Day(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    public static DateTimeOffset NextWindow(DateTimeOffset now) => new(Day(now).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>What an answer teaches about the key: its state, the backoff, the batch size.</summary>
    public void Learn(IndexNowAnswer answer, string outcome, string? detail, DateTimeOffset now, IndexNowOptions options, double random)
    {
        switch (answer.Status)
        {
            case 200 or 202:
                Consecutive429 = ConsecutiveFailures = 0;
                BackoffUntil = null;
                BatchSize = Backoff.AfterSuccess(BatchSize, options);
                var state = answer.Status == 202 ? KeyStates.Pending : KeyStates.Ok;
                if (KeyState != state)
                    (KeyState, KeyDetail, KeyStateSince) = (state, state == KeyStates.Pending ? "Received; the engine has not validated the key yet (202)." : null, now);
                break;
            case 429:
                Consecutive429++;
                BatchSize = Backoff.AfterTooManyRequests(BatchSize, Consecutive429, options);
                BackoffUntil = now + Backoff.Next(Consecutive429, answer.RetryAfter, options, random);
                break;
            case 413:
                BatchSize = Math.Max(1, BatchSize / 2);
                break;
            case 403:
                (KeyState, KeyDetail, KeyStateSince) = (KeyStates.Invalid, detail, now);
                break;
            case 400 or 422:
                break;
            default:
                // 5xx, no answer, or an unknown outcome (a slow engine): pause before the next batch.
                if (outcome is SubmissionOutcomes.Deferred or SubmissionOutcomes.Unknown)
                {
                    ConsecutiveFailures++;
                    BackoffUntil = now + Backoff.Next(ConsecutiveFailures, answer.RetryAfter, options, random);
                }
                break;
        }
    }
}
