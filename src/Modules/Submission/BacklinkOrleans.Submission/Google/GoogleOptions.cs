using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// The Google Indexing API channel (section "Submission:Google"): the lane's settings, the Cloud project's limits
/// (200 publish requests per Pacific day, 380 requests a minute) and where the token and API endpoints are.
/// </summary>
internal sealed class GoogleOptions : LaneOptions
{
    public const string Section = "Submission:Google";

    /// <summary>Parts of one batch request at most (protocols.md).</summary>
    public const int MaxPartsPerBatch = 100;

    public const string IndexingScope = "https://www.googleapis.com/auth/indexing";

    public GoogleOptions()
    {
        MaxBatchSize = MaxPartsPerBatch;
        InlineRetries = 0; // Google's client sends; the lane paces (a per-minute 429 backs off, a per-day 429 parks)
        BackoffBase = TimeSpan.FromSeconds(60);
    }

    /// <summary>Publish requests (URL_UPDATED and URL_DELETED together) per Cloud project per Pacific day.</summary>
    public int DailyLimit { get; set; } = 200;

    /// <summary>Requests per Cloud project per minute, across the API's endpoints.</summary>
    public int PerMinuteLimit { get; set; } = 380;

    /// <summary>The OAuth token endpoint. A service account file's own token_uri is never used: the secret cannot redirect our requests.</summary>
    public Uri TokenUrl { get; set; } = new("https://oauth2.googleapis.com/token");

    /// <summary>The Indexing API's base address.</summary>
    public Uri IndexingBaseUri { get; set; } = new("https://indexing.googleapis.com/");

    public IEnumerable<string> AllProblems()
    {
        foreach (var problem in Problems(Section, MaxPartsPerBatch))
            yield return problem;
        if (DailyLimit < 1 || PerMinuteLimit < 1)
            yield return $"{Section}:DailyLimit and PerMinuteLimit must be at least 1.";
        if (!TokenUrl.IsAbsoluteUri || TokenUrl.Scheme != "https" || !IndexingBaseUri.IsAbsoluteUri || IndexingBaseUri.Scheme != "https"
            || !IndexingBaseUri.AbsolutePath.EndsWith('/'))
            yield return $"{Section}:TokenUrl and IndexingBaseUri must be absolute https URLs (IndexingBaseUri ending in '/').";
    }
}
