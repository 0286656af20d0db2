using System.Security.Cryptography;
using System.Text;

namespace BacklinkOrleans.SharedKernel.Integration;

/// <summary>
/// A published integration event: one of a small, versioned set that other modules and outside consumers (webhooks)
/// may rely on, unlike the internal lifecycle events, which may change with the modules that own them (ADR 0021).
/// Its JSON form is a contract: a renamed property breaks consumers (a snapshot test per alias guards it).
/// </summary>
public interface IIntegrationEvent
{
    string Tenant { get; }

    DateTimeOffset At { get; }
}

/// <summary>Every backlink of a campaign reached an outcome (indexed, failed or retired).</summary>
public sealed record CampaignFinished(string Tenant, string CampaignId, string CampaignName, string Client, long Backlinks, long Indexed, long Failed,
    long Retired, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A channel's service refused a credential (401/403, unknown key): nothing is sent with it until it is verified again.</summary>
public sealed record CredentialInvalid(string Tenant, string Channel, string QuotaKey, string? Fingerprint, string? Detail, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A paid account's credits fell below the credential's threshold.</summary>
public sealed record VendorBalanceLow(string Tenant, string Channel, string QuotaKey, long? Balance, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A quota stopped sending until <see cref="Until"/> (no credits, the service paused the account, …).</summary>
public sealed record QuotaParked(string Tenant, string Channel, string QuotaKey, string? Reason, DateTimeOffset Until, DateTimeOffset At) : IIntegrationEvent;

/// <summary>An indexed URL was no longer found in the index at a monitoring check.</summary>
public sealed record UrlDroppedOut(string Tenant, string UrlHash, string Url, IReadOnlyList<string> Campaigns, string Detail, DateTimeOffset At) : IIntegrationEvent;

/// <summary>The page no longer links to the campaign's target.</summary>
public sealed record LinkMissingDetected(string Tenant, string UrlHash, string Url, IReadOnlyList<string> Campaigns, string Target, string Evidence,
    DateTimeOffset At) : IIntegrationEvent;

/// <summary>An integration event with its stable id (derived from what caused it, so a redelivered batch publishes the same id) and alias.</summary>
public sealed record PublishedEvent(Guid Id, string Type, IIntegrationEvent Event)
{
    /// <summary>The id of the event of <paramref name="type"/> caused by <paramref name="cause"/> (<paramref name="scope"/>: e.g. a campaign).</summary>
    public static Guid IdFor(Guid cause, string type, string scope = "")
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{cause:N}/{type}/{scope}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // a name-based UUID (version 5 layout)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public static PublishedEvent Of(Guid cause, IIntegrationEvent e, string scope = "")
    {
        var type = IntegrationEventTypes.AliasOf(e.GetType());
        return new PublishedEvent(IdFor(cause, type, scope), type, e);
    }
}

/// <summary>The published aliases. Never change one; a changed shape is a new alias (…v2), published beside the old.</summary>
public static class IntegrationEventTypes
{
    public static readonly IReadOnlyList<(string Alias, Type Type)> All =
    [
        ("campaign.finished.v1", typeof(CampaignFinished)),
        ("credential.invalid.v1", typeof(CredentialInvalid)),
        ("vendor.balance-low.v1", typeof(VendorBalanceLow)),
        ("quota.parked.v1", typeof(QuotaParked)),
        ("url.dropped-out.v1", typeof(UrlDroppedOut)),
        ("link.missing.v1", typeof(LinkMissingDetected)),
    ];

    private static readonly Dictionary<Type, string> Aliases = All.ToDictionary(a => a.Type, a => a.Alias);

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(a => a.Alias)];

    public static string AliasOf(Type type) => Aliases.TryGetValue(type, out var alias)
        ? alias
        : throw new InvalidOperationException($"{type.Name} is not a published integration event.");
}

/// <summary>
/// Translates a module's stored events into integration events, statelessly (one stored event in, its published
/// events out). Modules that need state to decide (a campaign finished) publish from their subscription handler.
/// </summary>
public interface IIntegrationEventSource
{
    IEnumerable<PublishedEvent> Translate(EventStore.StoredEvent stored);
}
