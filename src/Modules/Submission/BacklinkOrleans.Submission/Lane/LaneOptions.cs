namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// What every quota grain of a channel needs to know (each channel's options section, e.g. "Submission:IndexNow",
/// binds these with its own): batching, pacing after refusals, how long answers may take, at-most-once holds.
/// </summary>
internal class LaneOptions
{
    /// <summary>URLs per request at most.</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>
    /// How long the first queued URL waits for others to fill a batch (a full batch leaves at once). Agencies' URLs
    /// spread over many hosts, so a key's URLs arrive slowly: a few seconds turn requests of one URL into requests of many.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a quota grain with work looks at its queue, backoff and undelivered answers.</summary>
    public TimeSpan PumpInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A queued URL's backlink looks again after this long if no answer reached it.</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First wait after a 429 or 5xx without Retry-After; doubles with each further one, with jitter.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between attempts (a longer Retry-After is honoured as given, up to a day).</summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Consecutive 429 answers after which the batch size is halved (it doubles back on each success).</summary>
    public int HalveAfter429s { get; set; } = 2;

    /// <summary>Retries inside one send, for answers that prove nothing was received (429/503, a refused connection).</summary>
    public int InlineRetries { get; set; } = 2;

    /// <summary>The longest Retry-After waited inside one send; a longer one is scheduled as a backoff instead.</summary>
    public TimeSpan InlineRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Connections one Host opens at most to the channel's endpoint, for all its credentials; further requests wait for
    /// a free one (a request that timed out waiting was never sent, and is deferred, not held). Without a cap a thousand
    /// keys' first batches opened a thousand TLS connections at once.
    /// </summary>
    public int MaxConnections { get; set; } = 32;

    /// <summary>How long one request may take before its outcome is unknown.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers not acknowledged by their backlinks are delivered again after this long (only to those that did not).</summary>
    public TimeSpan RedeliverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After an unknown outcome the URL is not sent on this channel again for this long.</summary>
    public TimeSpan UnknownOutcomeHold { get; set; } = TimeSpan.FromHours(24);

    /// <summary>For a service that reports later (a vendor's task): the first time it is asked, after taking the request; then twice as long each time.</summary>
    public TimeSpan ReportFirstPoll { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest wait between two askings about a report.</summary>
    public TimeSpan ReportPollMax { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A report not done this long after the request was taken is given up: its URLs get a check that could not tell.</summary>
    public TimeSpan ReportGiveUpAfter { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The longest one send can take, retries inside it included: after it, a reservation can only be a dead sender's.</summary>
    public TimeSpan MaxSendDuration => (RequestTimeout * (1 + InlineRetries)) + (InlineRetryMaxDelay * InlineRetries);

    /// <summary>The rules every channel's options obey, as sentences naming the setting (null: fine).</summary>
    public IEnumerable<string> Problems(string section, int protocolMaxBatch)
    {
        if (MaxBatchSize < 1 || MaxBatchSize > protocolMaxBatch)
            yield return $"{section}:MaxBatchSize must be between 1 and {protocolMaxBatch} (the protocol's maximum per request).";
        if (Linger < TimeSpan.Zero || PumpInterval <= TimeSpan.Zero || AnswerWithin <= TimeSpan.Zero || RedeliverAfter <= TimeSpan.Zero)
            yield return $"{section}:Linger must not be negative; PumpInterval, AnswerWithin and RedeliverAfter must be positive.";
        if (BackoffBase <= TimeSpan.Zero || BackoffMax < BackoffBase)
            yield return $"{section}:BackoffBase must be positive and at most BackoffMax.";
        if (MaxConnections < 1)
            yield return $"{section}:MaxConnections must be at least 1.";
        if (RequestTimeout <= TimeSpan.Zero || InlineRetries < 0 || InlineRetryMaxDelay < TimeSpan.Zero || HalveAfter429s < 1)
            yield return $"{section}:RequestTimeout must be positive; InlineRetries and InlineRetryMaxDelay must not be negative; HalveAfter429s at least 1.";
        if (ReportFirstPoll <= TimeSpan.Zero || ReportPollMax < ReportFirstPoll || ReportGiveUpAfter < ReportPollMax)
            yield return $"{section}:ReportFirstPoll must be positive, at most ReportPollMax, which is at most ReportGiveUpAfter.";
        if (UnknownOutcomeHold < TimeSpan.FromHours(24))
            yield return $"{section}:UnknownOutcomeHold must be at least 1.00:00:00: a URL is sent at most once per channel in any 24 hours.";
    }
}
