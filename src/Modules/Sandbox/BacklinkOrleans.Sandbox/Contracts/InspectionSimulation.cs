namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>
/// What URL Inspection says about a URL from a time on (<c>inspectionResult.indexStatusResult</c>): a scripted
/// timeline step, such as "URL is unknown to Google" → "Discovered - currently not indexed" → "Submitted and indexed".
/// </summary>
public sealed record InspectionState(
    string Verdict, string CoverageState, string IndexingState = "INDEXING_ALLOWED", string PageFetchState = "SUCCESSFUL",
    string RobotsTxtState = "ALLOWED", string? GoogleCanonical = null, string? UserCanonical = null)
{
    public static readonly InspectionState Unknown = new("NEUTRAL", "URL is unknown to Google", "INDEXING_STATE_UNSPECIFIED", "PAGE_FETCH_STATE_UNSPECIFIED",
        "ROBOTS_TXT_STATE_UNSPECIFIED");

    public static readonly InspectionState Discovered = new("NEUTRAL", "Discovered - currently not indexed", "INDEXING_STATE_UNSPECIFIED",
        "PAGE_FETCH_STATE_UNSPECIFIED", "ROBOTS_TXT_STATE_UNSPECIFIED");

    public static readonly InspectionState Indexed = new("PASS", "Submitted and indexed");

    public static readonly InspectionState Noindex = new("FAIL", "Excluded by 'noindex' tag", "BLOCKED_BY_META_TAG");

    public static readonly InspectionState NotFound = new("FAIL", "Not found (404)", "INDEXING_ALLOWED", "NOT_FOUND");
}

/// <summary>One URL Inspection request the simulated Search Console answered.</summary>
public sealed record InspectionRequest(DateTimeOffset At, string? ClientEmail, string? SiteUrl, string? InspectionUrl, int Status, string? CoverageState);
