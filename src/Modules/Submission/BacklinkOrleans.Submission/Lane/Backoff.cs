namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// How long a quota grain waits after refusals: exponential from <see cref="LaneOptions.BackoffBase"/>, capped at
/// <see cref="LaneOptions.BackoffMax"/>, with jitter (a random point in the upper half, so grains that failed
/// together do not retry together), and never shorter than the server's Retry-After (up to a day).
/// </summary>
internal static class Backoff
{
    /// <summary>The longest Retry-After honoured: a bogus or far-future one must not freeze a grain for months.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(24);

    public static TimeSpan Next(int consecutive, TimeSpan? retryAfter, LaneOptions options, double random)
    {
        var exponent = Math.Clamp(consecutive - 1, 0, 30);
        var ceiling = Math.Min(options.BackoffMax.Ticks, options.BackoffBase.Ticks * Math.Pow(2, exponent));
        var jittered = TimeSpan.FromTicks((long)(ceiling * (0.5 + random / 2)));
        return retryAfter is { } server && server > jittered ? (server > MaxRetryAfter ? MaxRetryAfter : server) : jittered;
    }

    /// <summary>The batch size after a 429: halved from the configured consecutive one on, never below one.</summary>
    public static int AfterTooManyRequests(int batchSize, int consecutive429, LaneOptions options) =>
        consecutive429 >= options.HalveAfter429s ? Math.Max(1, batchSize / 2) : batchSize;

    /// <summary>The batch size after an accepted request: doubled back toward the cap.</summary>
    public static int AfterSuccess(int batchSize, LaneOptions options) => Math.Min(options.MaxBatchSize, Math.Max(1, batchSize) * 2);
}
