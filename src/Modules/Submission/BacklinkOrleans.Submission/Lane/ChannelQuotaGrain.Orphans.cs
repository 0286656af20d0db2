using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>Requests whose sender is gone: found in flight on activation or long after any send could last, settled from the service's record or as unknown.</summary>
internal sealed partial class ChannelQuotaGrain
{
    /// <summary>Batches found in flight long after any send could still be waiting: an activation that died mid-send.</summary>
    private async Task ExpireStaleReservationsAsync(DateTimeOffset now)
    {
        var stale = Current.InFlight.Where(b => b.ReservedAt + Options.MaxSendDuration + TimeSpan.FromMinutes(1) < now).ToList();
        if (stale.Count > 0)
            await SettleOrphansAsync(stale, "its reservation outlived any send: the activation that made it is gone");
    }

    /// <summary>Settles requests whose sender is gone: from the service's own record where the channel can ask, else as unknown.</summary>
    private async Task SettleOrphansAsync(List<Reservation> orphans, string why)
    {
        var unknown = new List<string>();
        foreach (var reservation in orphans)
        {
            if (await ReconcileAsync(reservation) is { } outcome)
            {
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    if (QuotaLedgerDecider.Settle(Current, reservation.BatchId, outcome, Options, time.GetUtcNow(), jitter.NextDouble(), Guid.CreateVersion7) is not { } settled
                        || await AppendAsync([settled]))
                        break;
                }
                continue;
            }
            unknown.Add(reservation.BatchId);
        }
        for (var attempt = 0; attempt < 3 && unknown.Count > 0; attempt++)
        {
            if (QuotaLedgerDecider.MarkUnknown(Current, unknown, why, Options, time.GetUtcNow(), Guid.CreateVersion7) is not { } marked || await AppendAsync([marked]))
                break;
        }
        foreach (var batch in unknown)
            LogUnknown(logger, Key, batch);
        StartPump();
    }

    /// <summary>What the service says became of an orphaned request (accepted URLs, never-received ones put back), if the channel can ask.</summary>
    private async Task<SendOutcome?> ReconcileAsync(Reservation reservation)
    {
        try
        {
            if (reservation.Items.Count == 0 || await CredentialAsync(reservation.CredentialId, time.GetUtcNow()) is not { Credential: { } credential })
                return null;
            var reconciled = await channel.ReconcileAsync(new ChannelSend(tenant, credential.Credential, credential.Secret, reservation.BatchId, reservation.Items),
                reservation.ReservedAt, CancellationToken.None);
            if (reconciled is not { Seen: var seen })
                return null;
            var perUrl = reservation.Items.ToDictionary(i => i.UrlHash, i => seen.TryGetValue(i.UrlHash, out var has)
                ? has
                    ? new UrlVerdict(Outcomes.Accepted, null, "reconciled: the service has it", Cost: reconciled.CostPerUrl)
                    : new UrlVerdict(Outcomes.Deferred, null, "reconciled: the service never received it")
                : new UrlVerdict(Outcomes.Unknown, null, "the service could not say whether it received it"));
            LogReconciled(logger, Key, reservation.BatchId, perUrl.Count(p => p.Value.Outcome == Outcomes.Accepted), perUrl.Count);
            return new SendOutcome(200, Outcomes.Mixed, null, "reconciled after the sender stopped", 0, Pace.None, PerUrl: perUrl,
                UnitsUsed: reservation.Items.Count, Awaiting: reconciled.Awaiting);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReconcileFailed(logger, e, Key, reservation.BatchId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: request {BatchId} was in flight when its sender stopped; its URLs are outcome-unknown")]
    private static partial void LogUnknown(ILogger logger, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota {Key}: request {BatchId}, in flight when its sender stopped, reconciled with the service: {Accepted} of {Count} URLs were received")]
    private static partial void LogReconciled(ILogger logger, string key, string batchId, int accepted, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: request {BatchId} could not be reconciled with the service; its URLs are outcome-unknown")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string key, string batchId);
}
