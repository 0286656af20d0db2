namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>Collect one URL into a campaign (the URL is normalized; its hash must match the grain key).</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.collect-backlink")]
public sealed record CollectBacklink(
    [property: Id(0)] string Url,
    [property: Id(1)] string CampaignId,
    [property: Id(2)] string? TargetUrl,
    [property: Id(3)] string? Anchor,
    [property: Id(4)] string? Note,
    [property: Id(5)] int Priority);

public enum CollectResult
{
    /// <summary>New URL: its lifecycle starts.</summary>
    Collected,

    /// <summary>Known URL, new to this campaign: membership recorded, the lifecycle goes on as it was.</summary>
    JoinedCampaign,

    /// <summary>Already in this campaign: nothing changed.</summary>
    Duplicate,

    Rejected,
}

[GenerateSerializer, Immutable, Alias("backlink-orleans.collect-outcome")]
public sealed record CollectOutcome([property: Id(0)] CollectResult Result, [property: Id(1)] string? Detail = null);

/// <summary>The answer to a user command: accepted (with the view after it) or an explicit rejection.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.command-outcome")]
public sealed record CommandOutcome(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? RejectionCode,
    [property: Id(2)] string? RejectionMessage,
    [property: Id(3)] BacklinkView? Backlink);

/// <summary>
/// A backlink as the API shows it. <see cref="NextStep"/> (route, validate, submit, check) is what it does next, from
/// <see cref="NextStepAt"/>; <see cref="WaitingFor"/> says what it waits for when that is not now. An indexed URL has
/// <see cref="IndexedAt"/> and, when a submission of ours preceded it, <see cref="TimeToIndex"/> from its first acceptance.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-view")]
public sealed record BacklinkView(
    [property: Id(0)] string Sha256,
    [property: Id(1)] string Url,
    [property: Id(2)] string Host,
    [property: Id(3)] string State,
    [property: Id(4)] string? Reason,
    [property: Id(5)] string? ReasonDetail,
    [property: Id(6)] bool Retired,
    [property: Id(7)] string Campaign,
    [property: Id(8)] IReadOnlyList<string> Campaigns,
    [property: Id(9)] IReadOnlyList<string>? Channels,
    [property: Id(10)] string? SubmittedVia,
    [property: Id(11)] DateTimeOffset CollectedAt,
    [property: Id(12)] DateTimeOffset UpdatedAt,
    [property: Id(13)] DateTimeOffset? NextCheckAt,
    [property: Id(14)] int Priority,
    [property: Id(15)] string? TargetUrl,
    [property: Id(16)] string? Anchor,
    [property: Id(17)] string? Note,
    [property: Id(18)] long Version,
    [property: Id(19)] string? NextStep = null,
    [property: Id(20)] DateTimeOffset? NextStepAt = null,
    [property: Id(21)] string? WaitingFor = null,
    [property: Id(22)] DateTimeOffset? IndexedAt = null,
    [property: Id(23)] TimeSpan? TimeToIndex = null,
    [property: Id(24)] LinkView? Link = null);

/// <summary>The backlink's link to the campaign's target as last seen on the page (link-rot; null: not looked at since validation).</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.link-view")]
public sealed record LinkView(
    [property: Id(0)] bool Present,
    [property: Id(1)] string? Anchor,
    [property: Id(2)] string? Rel,
    [property: Id(3)] DateTimeOffset CheckedAt);

/// <summary>One stored event of a backlink's history.</summary>
public sealed record BacklinkEventView(long Version, string Type, DateTimeOffset RecordedAt, System.Text.Json.JsonElement Data);

/// <summary>One row of a campaign's backlink list (from the read model).</summary>
public sealed record BacklinkListItem(
    string Sha256, string Url, string Host, string State, string? Reason, bool Retired,
    DateTimeOffset CollectedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextActionAt, string? WaitingFor = null);

public sealed record BacklinkPage(IReadOnlyList<BacklinkListItem> Items, int Page, int PageSize, long Total);
