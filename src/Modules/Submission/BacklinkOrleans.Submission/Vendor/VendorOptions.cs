using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Vendor;

/// <summary>
/// The paid indexing vendor (section "Submission:Vendor"): a SpeedyIndex-v2-shaped API. Its tasks hold up to 10,000
/// URLs and are paid per URL, so the lane fills large batches (a long linger); the account's balance is the only
/// limit. How long a paused account waits before its balance is read again, how long after "overloaded" to try again,
/// what a URL and a check cost unless the credential says, and when a balance counts as low.
/// </summary>
internal sealed class VendorOptions : LaneOptions
{
    public const string Section = "Submission:Vendor";

    /// <summary>URLs per task at most (the vendor's limit).</summary>
    public const int MaxUrlsPerTask = 10_000;

    public VendorOptions()
    {
        MaxBatchSize = MaxUrlsPerTask;
        Linger = TimeSpan.FromSeconds(30);
        InlineRetries = 0; // a task creation is never retried blindly: a lost answer is looked up by the task's title
        ReportFirstPoll = TimeSpan.FromHours(1);
        ReportPollMax = TimeSpan.FromHours(12);
        ReportGiveUpAfter = TimeSpan.FromDays(14);
    }

    /// <summary>The API's base address (SpeedyIndex: https://api.speedyindex.com).</summary>
    public Uri Endpoint { get; set; } = new("https://api.speedyindex.com");

    /// <summary>After "balance too low" the account is paused this long; then its balance is read again (a top-up resumes it).</summary>
    public TimeSpan BalanceRecheck { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>After "overloaded" (code −2) the next task waits this long (doubling on repeats, with jitter).</summary>
    public TimeSpan OverloadedRetry { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>What one submitted URL costs when the credential names no price (in the agency's currency).</summary>
    public decimal CostPerUrl { get; set; } = 0.02m;

    /// <summary>What one checked URL costs when the credential names no price.</summary>
    public decimal CostPerCheck { get; set; } = 0.005m;

    /// <summary>Credits below which an account shows as balance-low, when the credential names no threshold.</summary>
    public long LowBalance { get; set; } = 100;

    /// <summary>Pages of the task list read at most when looking a task up by title (1,000 tasks a page, newest first).</summary>
    public int MaxListPages { get; set; } = 5;

    public IEnumerable<string> AllProblems()
    {
        foreach (var problem in Problems(Section, MaxUrlsPerTask))
            yield return problem;
        if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme is not ("https" or "http"))
            yield return $"{Section}:Endpoint must be an absolute http(s) URL.";
        if (BalanceRecheck <= TimeSpan.Zero || OverloadedRetry <= TimeSpan.Zero)
            yield return $"{Section}:BalanceRecheck and OverloadedRetry must be positive.";
        if (CostPerUrl < 0 || CostPerCheck < 0 || LowBalance < 0)
            yield return $"{Section}:CostPerUrl, CostPerCheck and LowBalance must not be negative.";
        if (MaxListPages < 1)
            yield return $"{Section}:MaxListPages must be at least 1.";
    }
}
