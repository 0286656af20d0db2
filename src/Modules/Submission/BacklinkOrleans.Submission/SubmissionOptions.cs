namespace BacklinkOrleans.Submission;

/// <summary>The IndexNow channel (section "Submission:IndexNow").</summary>
public sealed class IndexNowOptions
{
    /// <summary>URLs a key may submit per UTC day (no official figure; 10,000 is the common practice).</summary>
    public int DailyLimit { get; set; } = 10_000;

    /// <summary>URLs per POST at most (the protocol allows 10,000).</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>How long the first queued URL waits for others to fill a batch.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a key with work looks at its queue, backoff and undelivered answers.</summary>
    public TimeSpan PumpInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A queued URL's backlink looks again after this long if no answer reached it (kept under the reminder threshold).</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First wait after a 429 or 5xx without Retry-After; doubles with each further one, with jitter.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between attempts (a longer Retry-After is honoured as given).</summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Consecutive 429 answers after which the batch size is halved (it doubles back on each success).</summary>
    public int HalveAfter429s { get; set; } = 2;

    /// <summary>Retries inside one send, for answers that prove nothing was received (429/503, a refused connection).</summary>
    public int InlineRetries { get; set; } = 2;

    /// <summary>The longest Retry-After waited inside one send; a longer one is scheduled as a backoff instead.</summary>
    public TimeSpan InlineRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one POST may take before its outcome is unknown.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Undelivered answers are handed to a courier again after this long.</summary>
    public TimeSpan RedeliverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After an unknown outcome the URL is not sent on this channel again for this long.</summary>
    public TimeSpan UnknownOutcomeHold { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest one send can take, retries inside it included: after it, a reservation can only be a dead sender's.</summary>
    public TimeSpan MaxSendDuration => (RequestTimeout * (1 + InlineRetries)) + (InlineRetryMaxDelay * InlineRetries);

    /// <summary>When set, every POST goes to this URL instead of https://{endpoint}/indexnow (a simulator, a proxy).</summary>
    public Uri? EndpointOverride { get; set; }
}
