namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>How a campaign's backlinks are processed. The first campaign a URL joins governs it.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.campaign-settings")]
public sealed record CampaignSettings(
    [property: Id(0)] string Name,
    [property: Id(1)] string Client,
    [property: Id(2)] IReadOnlyList<string> ChannelPreference,
    [property: Id(3)] int RecoveryLimit,
    [property: Id(4)] IReadOnlyList<TimeSpan> FollowUpSchedule,
    [property: Id(5)] TimeSpan MonitoringHorizon,
    [property: Id(6)] int Priority)
{
    public static readonly IReadOnlyList<string> Channels = ["indexnow", "google", "vendor"];
}

/// <summary>
/// Create a campaign. Unset fields take defaults: all channels (IndexNow, Google, vendor), recovery limit 1,
/// follow-ups after 1 h and 24 h, a 30-day monitoring horizon, priority 50.
/// </summary>
public sealed record CreateCampaignRequest(
    string? Name,
    string? Client,
    IReadOnlyList<string>? ChannelPreference,
    int? RecoveryLimit,
    IReadOnlyList<string>? FollowUpSchedule,
    string? MonitoringHorizon,
    int? Priority);

public static class CampaignStatuses
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Cancelled = "cancelled";
}

/// <summary>How many of a campaign's backlinks are in one state (and, for failures, with one reason).</summary>
public sealed record CampaignCounter(string State, string? Reason, long Count);

public sealed record CampaignView(
    string Id,
    string Name,
    string Client,
    string Status,
    CampaignSettingsView Settings,
    DateTimeOffset CreatedAt,
    long Backlinks,
    IReadOnlyList<CampaignCounter> Counters);

public sealed record CampaignSettingsView(
    IReadOnlyList<string> ChannelPreference,
    int RecoveryLimit,
    IReadOnlyList<string> FollowUpSchedule,
    string MonitoringHorizon,
    int Priority);

/// <summary>What a campaign grain answers about itself.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.campaign-info")]
public sealed record CampaignInfo(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignSettings Settings,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset CreatedAt);
