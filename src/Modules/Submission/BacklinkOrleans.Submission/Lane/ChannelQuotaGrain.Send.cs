using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>The quota grain's send path: take a batch, reserve it in the ledger, send it, settle its answer, bisect a refused one.</summary>
internal sealed partial class ChannelQuotaGrain
{
    /// <summary>Sends one batch if one may go now; false when nothing more can be sent this tick.</summary>
    private async Task<bool> SendNextAsync(DateTimeOffset now)
    {
        if (queue.Count == 0 && bisections.UrlCount == 0)
            return false;
        if (Current.Pace.BackoffUntil > now || Current.Pace.ParkedUntil > now || opensAt + WindowOpening > now)
            return false;

        string batchId, root;
        List<LaneItem> items;
        if (bisections.TryPeek(out var part))
        {
            (batchId, root, items) = (part.BatchId, part.Root, part.Urls);
            if (Current.Available(channel.Limits, now) < items.Count)
                return false;
            bisections.Dequeue();
        }
        else
        {
            var size = QuotaLedgerDecider.BatchSize(Current.Pace, Options);
            if (queue.Count < size && queue.OldestEnqueuedAt + Options.Linger > now)
                return false; // let the batch fill a little longer
            var available = Math.Min(size, Current.Available(channel.Limits, now));
            if (available == 0)
                return false; // queued URLs wait for the next window; their backlinks come back then
            items = queue.Take(available);
            batchId = NewBatchId(now);
            root = batchId;
        }
        items = [.. items.Where(i => !Held().Contains(i.UrlHash))]; // in flight or answered by a rival activation meanwhile
        if (items.Count == 0)
            return true;
        taking.UnionWith(items.Select(i => i.UrlHash));
        try
        {
            return await ReserveAndSendAsync(batchId, root, items, now);
        }
        finally
        {
            taking.Clear();
        }
    }

    /// <summary>Reserves the request in the ledger, sends it, and settles its answer; false when nothing more can be sent this tick.</summary>
    private async Task<bool> ReserveAndSendAsync(string batchId, string root, List<LaneItem> items, DateTimeOffset now)
    {

        var lookup = await CredentialAsync(items[0].CredentialId, now);
        if (lookup.Unreadable is not null)
        {
            queue.PutBack(items);
            return false; // the URLs wait; the credential is read again shortly
        }
        if (Unusable(lookup) is { } unusable)
        {
            Refuse([.. items, .. queue.TakeAll(items[0].CredentialId)], unusable.Reason, unusable.Detail, now);
            return true;
        }
        var credential = lookup.Credential!;
        var ledgerItems = items.Select(i => new LedgerItem(i.UrlHash, i.Url, i.FirstCheckAfter, i.Campaign, i.Withdraw)).ToList();
        var reserved = QuotaLedgerDecider.Reserve(Current, batchId, ledgerItems, credential.Credential.Id, credential.Credential.Fingerprint, channel.Limits,
            now, Guid.CreateVersion7);
        if (reserved is null || !await AppendLedgerAsync(reserved))
        {
            // Not allowed after all, or another activation wrote this ledger: our view was stale, so nothing is sent.
            if (reserved is not null)
                LogReservationConflict(logger, Key, batchId);
            queue.PutBack(items);
            return false;
        }

        var send = new ChannelSend(tenant, credential.Credential, credential.Secret, batchId, ledgerItems);
        SendOutcome outcome;
        using var activity = SharedKernel.Diagnostics.Telemetry.Activities.StartActivity("lane.send");
        activity?.SetTag("channel", channel.Descriptor.Name);
        activity?.SetTag("batch", batchId);
        activity?.SetTag("urls", ledgerItems.Count);
        try
        {
            outcome = await channel.SendAsync(send, CancellationToken.None);
            activity?.SetTag("status", outcome.Status);
            activity?.SetTag("outcome", outcome.Outcome);
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // The silo is going away under the send (its HTTP stack disposed): as if it had died, the reservation stays
            // in flight, and the next activation asks the service what became of it (or records it unknown).
            LogSendInterrupted(logger, e, Key, batchId);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A channel answers its failures; one that throws may have sent part of the request: its URLs are unknown.
            LogSendFailed(logger, e, Key, batchId);
            outcome = new SendOutcome(0, Outcomes.Unknown, null, $"{channel.Descriptor.Name} failed while sending: {e.GetType().Name}: {e.Message}", 0, Pace.Failure);
        }
        LogAnswered(logger, Key, batchId, items.Count, outcome.Status, outcome.Outcome, outcome.Detail);
        await SettleAsync(batchId, root, items, outcome, time.GetUtcNow());
        return Current.Pace.BackoffUntil is not { } until || until <= time.GetUtcNow();
    }

    /// <summary>Records what a request's answer means for the quota and its URLs, and puts back or bisects what waits.</summary>
    private async Task SettleAsync(string batchId, string root, List<LaneItem> items, SendOutcome outcome, DateTimeOffset now)
    {
        switch (outcome.Outcome)
        {
            case Outcomes.Deferred:
                queue.PutBack(items);
                break;
            case Outcomes.Split:
                Bisect(batchId, root, items);
                break;
            case Outcomes.Mixed:
                queue.PutBack([.. items.Where(i => outcome.PerUrl?.GetValueOrDefault(i.UrlHash)?.Outcome == Outcomes.Deferred)]);
                break;
        }
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var settled = QuotaLedgerDecider.Settle(Current, batchId, outcome, Options, now, jitter.NextDouble(), Guid.CreateVersion7);
            if (settled is null)
            {
                // Another activation declared it unknown meanwhile: its real answer still reaches the backlinks.
                refusals.Add(Answer(batchId, credentialFingerprint: Current.Pace.Fingerprint ?? "", outcome, items, now));
                return;
            }
            if (await AppendLedgerAsync(settled))
            {
                if (outcome.Pace == Pace.CredentialInvalid)
                    Refuse(queue.TakeAll(items[0].CredentialId), outcome.Reason ?? FailureReasons.KeyInvalid, outcome.Detail ?? $"HTTP {outcome.Status}", now);
                return;
            }
        }
        LogAnswerNotPersisted(logger, Key, batchId);
        refusals.Add(Answer(batchId, Current.Pace.Fingerprint ?? "", outcome, items, now));
    }

    private static OutboxAnswer Answer(string batchId, string credentialFingerprint, SendOutcome outcome, List<LaneItem> items, DateTimeOffset now) =>
        new($"{batchId}:{outcome.Outcome}", batchId, credentialFingerprint,
            new RequestAnswer(outcome.Status, outcome.Outcome, outcome.Reason, outcome.Detail, outcome.DurationMs, null, 0, outcome.PerUrl, outcome.Cost),
            now, [.. items.Select(i => new LedgerItem(i.UrlHash, i.Url, i.FirstCheckAfter, i.Campaign, i.Withdraw))]);

    /// <summary>A request refused as a whole for its URLs: send each half alone to find the URLs it is about.</summary>
    private void Bisect(string batchId, string root, IReadOnlyList<LaneItem> items)
    {
        if (items.Count > 1 && bisections.Split(batchId, root, items))
            return;
        Refuse([.. items], FailureReasons.ChannelRejected, items.Count == 1
            ? $"{channel.Descriptor.Name} refused this URL."
            : $"{channel.Descriptor.Name} refused these URLs in every part of request {root} it was split into ({bisections.RequestsPerRoot} requests).",
            time.GetUtcNow());
    }

    private static string NewBatchId(DateTimeOffset now) => $"b-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..32];

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota {Key}: request {BatchId} with {Count} URLs answered {Status} ({Outcome}) {Detail}")]
    private static partial void LogAnswered(ILogger logger, string key, string batchId, int count, int status, string outcome, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quota {Key}: the channel threw while sending request {BatchId}; its URLs are outcome-unknown")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: request {BatchId} was interrupted by the silo stopping; it stays in flight for the next activation to reconcile")]
    private static partial void LogSendInterrupted(ILogger logger, Exception exception, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: another activation wrote the ledger; request {BatchId} was not sent")]
    private static partial void LogReservationConflict(ILogger logger, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quota {Key}: the answer to request {BatchId} could not be persisted; it is delivered from memory")]
    private static partial void LogAnswerNotPersisted(ILogger logger, string key, string batchId);
}
