namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>Webhook delivery (section "Reporting:Webhooks").</summary>
public sealed class WebhookOptions
{
    /// <summary>How often the dispatcher looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first retry's delay; each next one doubles (with ±10 % jitter), up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A delivery not answered with 2xx within this long after it was created is given up (failed; it can be redelivered by hand).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries sent at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Deliveries claimed per poll.</summary>
    public int Batch { get; set; } = 200;
}
