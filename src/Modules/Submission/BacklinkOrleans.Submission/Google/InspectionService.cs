using Google.Apis.Requests;
using Google.Apis.Services;
using Newtonsoft.Json;

namespace BacklinkOrleans.Submission.Google;

/// <summary>POST v1/urlInspection/index:inspect — what Google's index holds for a URL of a property the account owns.</summary>
internal sealed class InspectRequest : ClientServiceRequest<InspectUrlIndexResponse>
{
    private readonly InspectUrlIndexRequest body;

    public InspectRequest(IClientService service, InspectUrlIndexRequest body) : base(service)
    {
        this.body = body;
        InitParameters();
    }

    public override string MethodName => "inspect";

    public override string HttpMethod => "POST";

    public override string RestPath => "v1/urlInspection/index:inspect";

    protected override object GetBody() => body;
}

internal sealed class InspectUrlIndexRequest
{
    [JsonProperty("inspectionUrl")]
    public string? InspectionUrl { get; set; }

    [JsonProperty("siteUrl")]
    public string? SiteUrl { get; set; }

    [JsonProperty("languageCode")]
    public string? LanguageCode { get; set; }
}

internal sealed class InspectUrlIndexResponse
{
    [JsonProperty("inspectionResult")]
    public UrlInspectionResult? InspectionResult { get; set; }
}

internal sealed class UrlInspectionResult
{
    [JsonProperty("inspectionResultLink")]
    public string? InspectionResultLink { get; set; }

    [JsonProperty("indexStatusResult")]
    public IndexStatusInspectionResult? IndexStatusResult { get; set; }
}

internal sealed class IndexStatusInspectionResult
{
    [JsonProperty("verdict")]
    public string? Verdict { get; set; }

    [JsonProperty("coverageState")]
    public string? CoverageState { get; set; }

    [JsonProperty("robotsTxtState")]
    public string? RobotsTxtState { get; set; }

    [JsonProperty("indexingState")]
    public string? IndexingState { get; set; }

    /// <summary>RFC 3339, kept as Google wrote it.</summary>
    [JsonProperty("lastCrawlTime")]
    public object? LastCrawlTime { get; set; }

    [JsonProperty("pageFetchState")]
    public string? PageFetchState { get; set; }

    [JsonProperty("googleCanonical")]
    public string? GoogleCanonical { get; set; }

    [JsonProperty("userCanonical")]
    public string? UserCanonical { get; set; }
}
