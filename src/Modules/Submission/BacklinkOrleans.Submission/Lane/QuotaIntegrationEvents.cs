using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// Publishes what the quota ledgers say an agency must hear about: a credential refused by its service, a paid account's
/// credits running low, a quota parked. Each published id derives from the fact itself (the stream and the instant the
/// state began), so a fact repeated by later answers publishes the same id — consumers see it once.
/// </summary>
internal sealed class QuotaIntegrationEvents(EventTypeRegistry registry) : IIntegrationEventSource
{
    private const string Prefix = "quota/";

    public IEnumerable<PublishedEvent> Translate(StoredEvent stored)
    {
        if (!stored.StreamId.StartsWith(Prefix, StringComparison.Ordinal) || stored.Type is not ("quota.settled.v1" or "quota.credential-state-changed.v1"))
            yield break;
        var parts = stored.StreamId[Prefix.Length..].Split('/', 3);
        if (parts.Length < 3)
            yield break;
        var (tenant, channel, quotaKey) = (parts[0], parts[1], parts[2]);
        var cause = Guid.Empty; // ids are scoped by stream and instant, not by the event that repeated them
        switch (registry.Deserialize(stored))
        {
            case CredentialStateChanged { State: CredentialStates.Invalid } c:
                yield return PublishedEvent.Of(cause, new CredentialInvalid(tenant, channel, quotaKey, c.Fingerprint, c.Detail, c.At), Scope(stored, c.At));
                break;
            case QuotaSettled s:
                var pace = s.Pace;
                if (pace.CredentialState == CredentialStates.Invalid && pace.CredentialSince == s.At)
                    yield return PublishedEvent.Of(cause, new CredentialInvalid(tenant, channel, quotaKey, pace.Fingerprint, pace.CredentialDetail, s.At), Scope(stored, s.At));
                if (pace.BalanceLow && pace.BalanceLowSince == s.At)
                    yield return PublishedEvent.Of(cause, new VendorBalanceLow(tenant, channel, quotaKey, pace.Balance, s.At), Scope(stored, s.At));
                if (pace.ParkedUntil is { } until && until > s.At)
                    yield return PublishedEvent.Of(cause, new QuotaParked(tenant, channel, quotaKey, pace.ParkReason, until, s.At), Scope(stored, until));
                break;
        }
    }

    private static string Scope(StoredEvent stored, DateTimeOffset since) => $"{stored.StreamId}@{since.UtcTicks}";
}
