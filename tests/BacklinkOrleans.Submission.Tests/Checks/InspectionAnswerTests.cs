using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Google;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Checks;

/// <summary>What URL Inspection's index status means for a backlink (pure: no HTTP).</summary>
public sealed class InspectionAnswerTests
{
    private const string Url = "https://blog.acme.example/post";

    private static IndexStatusInspectionResult Status(string verdict, string coverage, string indexing = "INDEXING_ALLOWED", string fetch = "SUCCESSFUL",
        string? googleCanonical = null) =>
        new() { Verdict = verdict, CoverageState = coverage, IndexingState = indexing, PageFetchState = fetch, GoogleCanonical = googleCanonical, UserCanonical = Url };

    public static TheoryData<string, string, string, string, string?, string, string?> Answers() => new()
    {
        { "PASS", "Submitted and indexed", "INDEXING_ALLOWED", "SUCCESSFUL", null, IndexVerdicts.Indexed, null },
        { "PASS", "Indexed, not submitted in sitemap", "INDEXING_ALLOWED", "SUCCESSFUL", "https://BLOG.acme.example:443/post", IndexVerdicts.Indexed, null },
        { "NEUTRAL", "URL is unknown to Google", "INDEXING_STATE_UNSPECIFIED", "PAGE_FETCH_STATE_UNSPECIFIED", null, IndexVerdicts.NotIndexed, null },
        { "NEUTRAL", "Discovered - currently not indexed", "INDEXING_STATE_UNSPECIFIED", "PAGE_FETCH_STATE_UNSPECIFIED", null, IndexVerdicts.NotIndexed, null },
        { "NEUTRAL", "Crawled - currently not indexed", "INDEXING_ALLOWED", "SUCCESSFUL", null, IndexVerdicts.NotIndexed, null },
        { "FAIL", "Excluded by 'noindex' tag", "BLOCKED_BY_META_TAG", "SUCCESSFUL", null, IndexVerdicts.Blocked, FailureReasons.Noindex },
        { "FAIL", "Excluded by 'noindex' tag", "BLOCKED_BY_HTTP_HEADER", "SUCCESSFUL", null, IndexVerdicts.Blocked, FailureReasons.Noindex },
        { "FAIL", "Blocked by robots.txt", "INDEXING_ALLOWED", "BLOCKED_ROBOTS_TXT", null, IndexVerdicts.Blocked, FailureReasons.RobotsDisallowed },
        { "FAIL", "Not found (404)", "INDEXING_ALLOWED", "NOT_FOUND", null, IndexVerdicts.Blocked, FailureReasons.HttpNotFound },
        { "FAIL", "Soft 404", "INDEXING_ALLOWED", "SOFT_404", null, IndexVerdicts.Blocked, FailureReasons.Soft404 },
        { "NEUTRAL", "Page with redirect", "INDEXING_ALLOWED", "SUCCESSFUL", null, IndexVerdicts.Blocked, FailureReasons.RedirectOffHost },
        { "PASS", "Duplicate, Google chose different canonical than user", "INDEXING_ALLOWED", "SUCCESSFUL", "https://blog.acme.example/original",
            IndexVerdicts.NotIndexed, null },
        { "FAIL", "Server error (5xx)", "INDEXING_ALLOWED", "SERVER_ERROR", null, IndexVerdicts.Unknown, null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void GooglesIndexStatus_IsAVerdict(string verdict, string coverage, string indexing, string fetch, string? canonical, string expected, string? reason) =>
        Assert.Equal((expected, reason), InspectionChannel.Verdict(Url, Status(verdict, coverage, indexing, fetch, canonical)));

    [Fact]
    public void ARequestsAnswers_AreMappedPerUrl_WithGooglesFieldsAsEvidence_AndAPerDay429ParksTheProperty()
    {
        LedgerItem[] items = [new("h1", Url, TimeSpan.Zero), new("h2", "https://acme.example/x", TimeSpan.Zero), new("h3", "https://acme.example/y", TimeSpan.Zero)];
        var now = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        var outcome = InspectionChannel.Classify(items,
        [
            new(200, Status("PASS", "Submitted and indexed"), null, "sc-domain:acme.example"),
            new(403, null, "You do not own this site, or the inspected URL is not part of this property.", "sc-domain:acme.example"),
            new(429, null, "Quota exceeded for quota metric 'URL Inspection requests' and limit 'URL Inspection requests per day per site'", "sc-domain:acme.example"),
        ], 30, now);

        Assert.Equal((IndexVerdicts.Indexed, Outcomes.Accepted), (outcome.PerUrl!["h1"].Index, outcome.PerUrl["h1"].Outcome));
        Assert.Contains("\"Submitted and indexed\"", outcome.PerUrl["h1"].Detail);
        Assert.Equal((Outcomes.Refused, FailureReasons.NotOwner), (outcome.PerUrl["h2"].Outcome, outcome.PerUrl["h2"].Reason));
        Assert.Equal(Outcomes.Deferred, outcome.PerUrl["h3"].Outcome);
        Assert.Equal((Pace.Park, QuotaWindow.PacificDay.NextAfter(now), 2), (outcome.Pace, outcome.ParkUntil, outcome.UnitsUsed));
    }
}
