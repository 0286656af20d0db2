using Google.Apis.Discovery;
using Google.Apis.Requests;
using Google.Apis.Services;
using Google.Apis.Util;
using Newtonsoft.Json;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// One of Google's APIs on Google.Apis' client machinery (the generated packages — Google.Apis.Indexing.v3,
/// Google.Apis.SearchConsole.v1 — are not in our registry; ADR 0018): its name and base address; the requests below
/// and in <c>InspectionService.cs</c> name their paths. Used for the Indexing API v3 (publish, metadata, batches) and
/// Search Console's URL Inspection.
/// </summary>
internal sealed class GoogleApiService(BaseClientService.Initializer initializer, Uri baseUri, string name) : BaseClientService(initializer)
{
    public override string Name => name;

    public override string BaseUri => baseUri.AbsoluteUri;

    public override string BasePath => "";

    public override string BatchUri => baseUri.AbsoluteUri + "batch";

    public override string BatchPath => "batch";

    public override IList<string> Features => [];
}

/// <summary>POST v3/urlNotifications:publish — tells Google a URL was updated or deleted.</summary>
internal sealed class PublishRequest : ClientServiceRequest<PublishUrlNotificationResponse>
{
    private readonly UrlNotification body;

    public PublishRequest(IClientService service, UrlNotification body) : base(service)
    {
        this.body = body;
        InitParameters(); // Google.Apis reads the parameter table of every request, even an empty one
    }

    public override string MethodName => "publish";

    public override string HttpMethod => "POST";

    public override string RestPath => "v3/urlNotifications:publish";

    protected override object GetBody() => body;
}

/// <summary>GET v3/urlNotifications/metadata?url=… — what Google last received for a URL (404 when never notified).</summary>
internal sealed class MetadataRequest : ClientServiceRequest<UrlNotificationMetadata>
{
    public MetadataRequest(IClientService service, string url) : base(service)
    {
        Url = url;
        InitParameters();
    }

    [RequestParameter("url", RequestParameterType.Query)]
    public string Url { get; }

    public override string MethodName => "getMetadata";

    public override string HttpMethod => "GET";

    public override string RestPath => "v3/urlNotifications/metadata";

    protected override void InitParameters()
    {
        base.InitParameters();
        RequestParameters.Add("url", new Parameter { Name = "url", IsRequired = false, ParameterType = "query" });
    }
}

internal static class NotificationTypes
{
    public const string Updated = "URL_UPDATED";
    public const string Deleted = "URL_DELETED";
}

internal sealed class UrlNotification
{
    [JsonProperty("url")]
    public string? Url { get; set; }

    [JsonProperty("type")]
    public string? Type { get; set; }

    /// <summary>RFC 3339; a string, so no serializer setting turns it into a local date.</summary>
    [JsonProperty("notifyTime")]
    public object? NotifyTime { get; set; }

    public DateTimeOffset? NotifiedAt => NotifyTime switch
    {
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)),
        DateTimeOffset o => o,
        string s when DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        _ => null,
    };
}

internal sealed class UrlNotificationMetadata
{
    [JsonProperty("url")]
    public string? Url { get; set; }

    [JsonProperty("latestUpdate")]
    public UrlNotification? LatestUpdate { get; set; }

    [JsonProperty("latestRemove")]
    public UrlNotification? LatestRemove { get; set; }
}

internal sealed class PublishUrlNotificationResponse
{
    [JsonProperty("urlNotificationMetadata")]
    public UrlNotificationMetadata? Metadata { get; set; }
}
