using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// Search Console URL Inspection (section "Submission:Inspection"): the lane's settings, a property's limits (2,000
/// inspections a day, 600 a minute) and where the API is. Tokens come from the token endpoint of "Submission:Google".
/// </summary>
internal sealed class InspectionOptions : LaneOptions
{
    public const string Section = "Submission:Inspection";

    public const string Scope = "https://www.googleapis.com/auth/webmasters.readonly";

    /// <summary>URLs the lane hands over at once (each is one request; <see cref="Concurrency"/> run side by side).</summary>
    public const int MaxUrlsPerBatch = 100;

    public InspectionOptions()
    {
        MaxBatchSize = 20;
        Linger = TimeSpan.FromSeconds(2);
        InlineRetries = 0;
        BackoffBase = TimeSpan.FromSeconds(60);
    }

    /// <summary>Inspections per property per day.</summary>
    public int DailyLimit { get; set; } = 2_000;

    /// <summary>Inspections per property per minute.</summary>
    public int PerMinuteLimit { get; set; } = 600;

    /// <summary>Requests of one batch run side by side, at most.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>The Search Console API's base address.</summary>
    public Uri BaseUri { get; set; } = new("https://searchconsole.googleapis.com/");

    public IEnumerable<string> AllProblems()
    {
        foreach (var problem in Problems(Section, MaxUrlsPerBatch))
            yield return problem;
        if (DailyLimit < 1 || PerMinuteLimit < 1)
            yield return $"{Section}:DailyLimit and PerMinuteLimit must be at least 1.";
        if (Concurrency is < 1 or > 32)
            yield return $"{Section}:Concurrency must be between 1 and 32.";
        if (!BaseUri.IsAbsoluteUri || BaseUri.Scheme != "https" || !BaseUri.AbsolutePath.EndsWith('/'))
            yield return $"{Section}:BaseUri must be an absolute https URL ending in '/'.";
    }
}
