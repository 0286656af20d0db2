namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>Stream naming: <c>backlink/{tenant}/{sha256}</c> and <c>campaign/{tenant}/{campaign id}</c>.</summary>
internal static class StreamIds
{
    public const string BacklinkPrefix = "backlink/";
    public const string CampaignPrefix = "campaign/";

    public static string Backlink(string tenant, string urlHash) => $"{BacklinkPrefix}{tenant}/{urlHash}";

    public static string Campaign(string tenant, string campaignId) => $"{CampaignPrefix}{tenant}/{campaignId}";

    /// <summary>The (tenant, rest) of a prefixed stream id.</summary>
    public static (string Tenant, string Id) Split(string streamId, string prefix)
    {
        var rest = streamId[prefix.Length..];
        var slash = rest.IndexOf('/');
        return (rest[..slash], rest[(slash + 1)..]);
    }
}
