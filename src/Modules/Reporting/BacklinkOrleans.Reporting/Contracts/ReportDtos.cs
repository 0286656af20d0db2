namespace BacklinkOrleans.Reporting.Contracts;

/// <summary>What a report covers: a campaign, or every campaign of a client.</summary>
public sealed record ReportScope(string Kind, string Id, string Name, string Client, IReadOnlyList<string> Campaigns);

/// <summary>
/// One step of the funnel: how many backlinks reached it (<see cref="Share"/> of those collected), and those that failed
/// while at it, by reason.
/// </summary>
public sealed record FunnelStep(string Step, long Reached, double Share, long FailedHere);

/// <summary>Why backlinks failed, at which step, how many, and a few of them (the first by URL).</summary>
public sealed record DropOffReason(string Reason, string Step, long Count, IReadOnlyList<string> Examples);

/// <summary>Time from the first accepted submission to indexed (nearest-rank percentiles), over URLs the system got indexed.</summary>
public sealed record TimeToIndexSummary(long Samples, long? P50Seconds, long? P90Seconds, string? P50, string? P90);

/// <summary>What one credential of a channel did: URLs sent, requests, acceptances, refusals, and URLs indexed after it took them.</summary>
public sealed record ChannelResult(string Channel, string Credential, long Urls, long Attempts, long Accepted, long Refused, long IndexedAfter);

/// <summary>Index checks and link-rot: checks made, URLs that dropped out of the index, links missing now and ever.</summary>
public sealed record ChecksSummary(long Checks, long DroppedOut, long LinksMissingNow, long LinksEverMissing);

/// <summary>Backlinks per current state.</summary>
public sealed record StateCount(string State, long Count);

/// <summary>
/// A report of a campaign or a client (ADR 0021). <see cref="SuccessRate"/>: backlinks indexed now ÷ (collected − retired).
/// Costs count where the backlink's governing (first) campaign is.
/// </summary>
public sealed record CampaignReport(
    ReportScope Scope,
    DateTimeOffset GeneratedAt,
    long Backlinks,
    long Indexed,
    long AlreadyIndexed,
    long Failed,
    long Retired,
    long Open,
    double SuccessRate,
    IReadOnlyList<FunnelStep> Funnel,
    IReadOnlyList<StateCount> States,
    TimeToIndexSummary TimeToIndex,
    IReadOnlyList<DropOffReason> DropOffReasons,
    IReadOnlyList<ChannelResult> Channels,
    ChecksSummary Checks,
    decimal Cost,
    DateTimeOffset? FinishedAt);

/// <summary>The white-label look of a tenant's printable reports: the agency's name, logo and colour (no product branding).</summary>
public sealed record ReportBranding(string AgencyName, string? LogoUrl, string? AccentColor);

/// <summary>Set the branding of printable reports.</summary>
public sealed record SetBrandingRequest(string? AgencyName, string? LogoUrl, string? AccentColor);
