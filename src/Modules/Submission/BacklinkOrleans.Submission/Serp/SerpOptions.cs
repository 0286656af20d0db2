using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Serp;

/// <summary>
/// The SERP index checker (section "Submission:Serp"): a Serper-shaped search API asked <c>site:</c> queries for
/// third-party pages. The lane's settings, the key's budget (per UTC day and per minute), what a check costs, and where
/// the API is.
/// </summary>
internal sealed class SerpOptions : LaneOptions
{
    public const string Section = "Submission:Serp";

    /// <summary>URLs the lane hands over at once (each is one query; <see cref="Concurrency"/> run side by side).</summary>
    public const int MaxUrlsPerBatch = 100;

    public SerpOptions()
    {
        MaxBatchSize = 20;
        Linger = TimeSpan.FromSeconds(2);
        InlineRetries = 1;
    }

    /// <summary>The search endpoint (Serper: POST, header X-API-KEY, JSON {"q","num"} → {"organic":[{"link",…}]}).</summary>
    public Uri Endpoint { get; set; } = new("https://google.serper.dev/search");

    /// <summary>Queries per key per UTC day: a budget, so a plan's credits last the month (Serper's free plan has 2,500 in all).</summary>
    public int DailyLimit { get; set; } = 2_500;

    /// <summary>Queries per key per minute.</summary>
    public int PerMinuteLimit { get; set; } = 300;

    /// <summary>Queries of one request run side by side, at most.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Results asked for per query.</summary>
    public int ResultsPerQuery { get; set; } = 10;

    /// <summary>What one check costs (in the agency's currency; recorded on each check, summed in reports). Serper: $0.30–1.00 per 1,000.</summary>
    public decimal CostPerCheck { get; set; } = 0.001m;

    public IEnumerable<string> AllProblems()
    {
        foreach (var problem in Problems(Section, MaxUrlsPerBatch))
            yield return problem;
        if (DailyLimit < 1 || PerMinuteLimit < 1)
            yield return $"{Section}:DailyLimit and PerMinuteLimit must be at least 1.";
        if (Concurrency is < 1 or > 32 || ResultsPerQuery is < 1 or > 100)
            yield return $"{Section}:Concurrency must be between 1 and 32, ResultsPerQuery between 1 and 100.";
        if (CostPerCheck < 0)
            yield return $"{Section}:CostPerCheck must not be negative.";
        if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme is not ("https" or "http"))
            yield return $"{Section}:Endpoint must be an absolute http(s) URL.";
    }
}
