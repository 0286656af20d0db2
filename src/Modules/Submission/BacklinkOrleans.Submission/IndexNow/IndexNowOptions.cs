using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>The IndexNow channel (section "Submission:IndexNow"): the lane's settings and the key's daily budget.</summary>
internal sealed class IndexNowOptions : LaneOptions
{
    public const string Section = "Submission:IndexNow";

    /// <summary>The protocol's largest request.</summary>
    public const int MaxUrlsPerPost = 10_000;

    /// <summary>URLs a key may submit per UTC day (no official figure; 10,000 is the common practice).</summary>
    public int DailyLimit { get; set; } = 10_000;

    /// <summary>When set, every POST goes to this URL instead of https://{endpoint}/indexnow (a simulator, a proxy).</summary>
    public Uri? EndpointOverride { get; set; }

    public IEnumerable<string> AllProblems()
    {
        foreach (var problem in Problems(Section, MaxUrlsPerPost))
            yield return problem;
        if (DailyLimit < 1)
            yield return $"{Section}:DailyLimit must be at least 1.";
        if (EndpointOverride is not null && !(EndpointOverride.IsAbsoluteUri && EndpointOverride.Scheme is "http" or "https"))
            yield return $"{Section}:EndpointOverride must be an absolute http(s) URL.";
    }
}
