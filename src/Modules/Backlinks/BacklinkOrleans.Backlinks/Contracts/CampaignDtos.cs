namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>
/// How a campaign's backlinks are processed. The first campaign a URL joins governs it. <see cref="PreCheck"/>: check
/// the index before submitting (an indexed URL spends no quota); <see cref="MonitorEvery"/>: how often an indexed URL
/// is checked again until <see cref="MonitoringHorizon"/> (null in settings stored before it: the default).
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.campaign-settings")]
public sealed record CampaignSettings(
    [property: Id(0)] string Name,
    [property: Id(1)] string Client,
    [property: Id(2)] IReadOnlyList<string> ChannelPreference,
    [property: Id(3)] int RecoveryLimit,
    [property: Id(4)] IReadOnlyList<TimeSpan> FollowUpSchedule,
    [property: Id(5)] TimeSpan MonitoringHorizon,
    [property: Id(6)] int Priority,
    [property: Id(7)] bool PreCheck = true,
    [property: Id(8)] TimeSpan? MonitorEvery = null,
    [property: Id(9)] int? DripDays = null)
{
    /// <summary>The longest drip-feed: a campaign's submissions spread over at most this many days.</summary>
    public const int MaxDripDays = 30;

    public static readonly IReadOnlyList<string> Channels = ["indexnow", "google", "vendor"];

    public static readonly TimeSpan DefaultMonitorEvery = TimeSpan.FromDays(30);

    public TimeSpan MonitorInterval => MonitorEvery ?? DefaultMonitorEvery;
}

/// <summary>
/// Create a campaign. Unset fields take defaults: all channels (IndexNow, Google, vendor), recovery limit 1,
/// follow-ups after 1 h, 24 h and 7 d, a check before submission, indexed URLs checked every 30 days until a 180-day
/// monitoring horizon, priority 50, no drip-feed (<see cref="DripDays"/>: spread the submissions evenly over 1-30 days).
/// </summary>
public sealed record CreateCampaignRequest(
    string? Name,
    string? Client,
    IReadOnlyList<string>? ChannelPreference,
    int? RecoveryLimit,
    IReadOnlyList<string>? FollowUpSchedule,
    string? MonitoringHorizon,
    int? Priority,
    bool? PreCheck = null,
    string? MonitorEvery = null,
    int? DripDays = null);

/// <summary>Change a campaign's drip-feed: spread the rest of its submissions over <see cref="Days"/> days from now (null: no drip).</summary>
public sealed record SetDripRequest(int? Days);

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
    IReadOnlyList<CampaignCounter> Counters,
    CompletionEta? Eta = null);

public sealed record CampaignSettingsView(
    IReadOnlyList<string> ChannelPreference,
    int RecoveryLimit,
    IReadOnlyList<string> FollowUpSchedule,
    string MonitoringHorizon,
    int Priority,
    bool PreCheck,
    string MonitorEvery,
    int? DripDays = null);

/// <summary>What a campaign grain answers about itself.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.campaign-info")]
public sealed record CampaignInfo(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignSettings Settings,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? DripSince = null,
    [property: Id(5)] int DripPlan = 0);

/// <summary>
/// When a campaign will be done: the last of its URLs submitted (<see cref="LastSubmissionAt"/>) and the last
/// follow-up check of it due (<see cref="LastCheckAt"/>); <see cref="Basis"/> says what the estimate rests on, for
/// people. Null times: it cannot be told (no channel can take the URLs now; <see cref="Basis"/> says why).
/// </summary>
public sealed record CompletionEta(DateTimeOffset? LastSubmissionAt, DateTimeOffset? LastCheckAt, long Remaining, string Basis);

/// <summary>A drip-feed's plan as it stands: the next free slot and the time between two.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.drip-pace")]
public sealed record DripPace([property: Id(0)] DateTimeOffset NextSlot, [property: Id(1)] TimeSpan Interval);

