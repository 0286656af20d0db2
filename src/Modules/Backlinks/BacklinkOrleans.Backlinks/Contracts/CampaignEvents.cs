using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.Backlinks.Contracts;

public interface ICampaignEvent : IDomainEvent
{
    DateTimeOffset At { get; }
}

[GenerateSerializer, Immutable, Alias("campaign.created.v1")]
public sealed record CampaignCreated(Guid EventId, string Tenant, string CampaignId, CampaignSettings Settings, DateTimeOffset At) : ICampaignEvent;

[GenerateSerializer, Immutable, Alias("campaign.paused.v1")]
public sealed record CampaignPaused(Guid EventId, DateTimeOffset At) : ICampaignEvent;

[GenerateSerializer, Immutable, Alias("campaign.resumed.v1")]
public sealed record CampaignResumed(Guid EventId, DateTimeOffset At) : ICampaignEvent;

[GenerateSerializer, Immutable, Alias("campaign.cancelled.v1")]
public sealed record CampaignCancelled(Guid EventId, DateTimeOffset At) : ICampaignEvent;

/// <summary>The campaign's drip-feed changed: the rest of its submissions spread over <see cref="Days"/> days from now (null: none).</summary>
[GenerateSerializer, Immutable, Alias("campaign.drip-changed.v1")]
public sealed record CampaignDripChanged(Guid EventId, int? Days, DateTimeOffset At) : ICampaignEvent;

/// <summary>A child sitemap of an uploaded sitemap index, to be fetched through the guarded HTTP client.</summary>
[GenerateSerializer, Immutable, Alias("campaign.sitemap-queued.v1")]
public sealed record SitemapQueued(Guid EventId, string Url, DateTimeOffset At) : ICampaignEvent;

/// <summary>A queued sitemap was fetched and imported (or could not be: <see cref="Failure"/>).</summary>
[GenerateSerializer, Immutable, Alias("campaign.sitemap-imported.v1")]
public sealed record SitemapImported(
    Guid EventId, string Url, long Rows, long Accepted, long Duplicate, long Rejected, string? Failure, DateTimeOffset At) : ICampaignEvent;
