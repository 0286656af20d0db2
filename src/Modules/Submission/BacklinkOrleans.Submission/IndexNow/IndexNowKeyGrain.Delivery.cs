using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Delivery;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>The key grain's answers on their way: refusals without a request, acknowledgements, hand-over to couriers.</summary>
internal sealed partial class IndexNowKeyGrain
{
    /// <summary>Refuses URLs without a request (the key is known invalid, the URL is outside its scope).</summary>
    private DateTimeOffset Refuse(List<QueuedUrl> urls, string reason, string detail, DateTimeOffset now)
    {
        if (urls.Count > 0)
        {
            unpersisted.Add(new PendingAnswer($"refused-{Guid.NewGuid():N}", Ledger.Fingerprint ?? "", 0, SubmissionOutcomes.Refused, reason, detail, 0, now, null, urls));
            StartPump();
        }
        return now + Options.PumpInterval + TimeSpan.FromMinutes(1);
    }

    private void ApplyAcknowledgements()
    {
        if (acknowledged.Count == 0)
            return;
        if (Ledger.Outbox.RemoveAll(a => acknowledged.Contains(a.AnswerId)) > 0)
            (dirty, ledgerEdits) = (true, ledgerEdits + 1);
        foreach (var id in acknowledged)
            dispatched.Remove(id);
        acknowledged.Clear();
    }

    /// <summary>Hands undelivered answers to couriers: new ones at once, unacknowledged ones again after a while.</summary>
    private void Dispatch(DateTimeOffset now)
    {
        foreach (var answer in unpersisted)
            Send(answer, acknowledge: false);
        unpersisted.Clear();
        foreach (var answer in Ledger.Outbox.ToList())
        {
            if (dispatched.TryGetValue(answer.AnswerId, out var last) && last.At + Options.RedeliverAfter > now)
                continue;
            // An accepted or unknown answer is never given up: forgetting it would let its URLs be sent again.
            if (last.Count >= MaxDeliveries && answer.Outcome is SubmissionOutcomes.Deferred or SubmissionOutcomes.Refused)
            {
                LogGaveUp(logger, this.GetPrimaryKeyString(), answer.BatchId, answer.Urls.Count);
                Ledger.Outbox.Remove(answer);
                dispatched.Remove(answer.AnswerId);
                (dirty, ledgerEdits) = (true, ledgerEdits + 1);
                continue;
            }
            dispatched[answer.AnswerId] = (now, last.Count + 1);
            Send(answer, acknowledge: true);
        }
    }

    private void Send(PendingAnswer answer, bool acknowledge)
    {
        var reports = answer.Urls.Select(u => new AddressedReport(u.UrlHash, new SubmissionReport(
            CredentialKinds.IndexNow, answer.Fingerprint, answer.BatchId, answer.Status, answer.Outcome == SubmissionOutcomes.Accepted,
            answer.Excerpt, answer.DurationMs, answer.Outcome == SubmissionOutcomes.Accepted ? answer.At + u.FirstCheckAfter : null,
            answer.FailureReason, answer.Outcome, answer.HoldUntil))).ToList();
        // Stateless workers are local: the delivery runs on this silo, beside the ledger that holds the answer.
        grains.GetGrain<IAnswerCourierGrain>(0).DeliverAsync(new AnswerDelivery(tenant, this.GetPrimaryKeyString(), acknowledge, answer.AnswerId, reports)).Ignore();
    }
}
