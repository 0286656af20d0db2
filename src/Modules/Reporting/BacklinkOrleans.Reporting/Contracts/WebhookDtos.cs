namespace BacklinkOrleans.Reporting.Contracts;

/// <summary>Register a webhook endpoint: where to POST, which published event types (none: all of them).</summary>
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description);

public sealed record WebhookEndpointView(string Id, string Url, IReadOnlyList<string> EventTypes, string? Description, DateTimeOffset CreatedAt, bool Disabled);

/// <summary>A registered endpoint and its signing secret, shown only now.</summary>
public sealed record CreatedWebhook(WebhookEndpointView Endpoint, string Secret);

/// <summary>One event for one endpoint: pending (with its next attempt), delivered or failed (gave up after a day).</summary>
public sealed record WebhookDeliveryView(string Id, string EventId, string EventType, string State, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);
