using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>The quota grain's answers on their way: refusals without a request, acknowledgements, hand-over to the deliverer.</summary>
internal sealed partial class ChannelQuotaGrain
{
    private const int MaxDeliveries = 20;

    /// <summary>Answers delivered from memory: refusals without a request, and answers the ledger could not record.</summary>
    private readonly List<OutboxAnswer> refusals = [];

    /// <summary>When each outbox answer was last handed over, and how often.</summary>
    private readonly Dictionary<string, (DateTimeOffset At, int Count)> dispatched = new(StringComparer.Ordinal);

    /// <summary>Acknowledgements received and not yet in the ledger (written every few seconds, not once per answer).</summary>
    private readonly Dictionary<string, HashSet<string>> delivered = new(StringComparer.Ordinal);

    private DateTimeOffset lastFlush;

    /// <summary>Refuses URLs without a request (the credential is gone or refused, the URL is outside its scope).</summary>
    private Enqueued Refuse(List<LaneItem> items, string reason, string detail, DateTimeOffset now)
    {
        if (items.Count > 0)
        {
            refusals.Add(new OutboxAnswer($"refused-{Guid.NewGuid():N}", $"refused-{Guid.NewGuid():N}", Current.Pace.Fingerprint ?? "",
                new RequestAnswer(0, Outcomes.Refused, reason, detail, 0, null, 0), now,
                [.. items.Select(i => new LedgerItem(i.UrlHash, i.Url, i.FirstCheckAfter, i.Campaign, i.Withdraw))]));
            StartPump();
        }
        return new Enqueued(now + Options.PumpInterval + TimeSpan.FromMinutes(1), $"refused by {channel.Descriptor.Name}: {detail}");
    }

    public Task AcknowledgeAsync(string answerId, IReadOnlyList<string> urlHashes)
    {
        // recorded by the pump, the ledger's only writer
        (delivered.TryGetValue(answerId, out var set) ? set : delivered[answerId] = new HashSet<string>(StringComparer.Ordinal)).UnionWith(urlHashes);
        StartPump();
        return Task.CompletedTask;
    }

    /// <summary>Writes the acknowledgements received: every few seconds, or at once when <paramref name="force"/>.</summary>
    private async Task FlushAcknowledgementsAsync(bool force)
    {
        var now = time.GetUtcNow();
        if (delivered.Count == 0 || (!force && now - lastFlush < AcknowledgementFlush))
            return;
        lastFlush = now;
        var acknowledged = QuotaLedgerDecider.Acknowledge(Current, delivered, now, Guid.CreateVersion7);
        if (acknowledged is null || await AppendAsync([acknowledged]))
            ForgetDelivered();
    }

    /// <summary>
    /// Appends a ledger event with the acknowledgements received so far riding along (one append instead of two;
    /// both are decided on the same ledger). False when another activation moved the ledger meanwhile.
    /// </summary>
    private async Task<bool> AppendLedgerAsync(IQuotaEvent e)
    {
        var acknowledged = delivered.Count == 0 ? null : QuotaLedgerDecider.Acknowledge(Current, delivered, time.GetUtcNow(), Guid.CreateVersion7);
        if (!await AppendAsync(acknowledged is null ? [e] : [acknowledged, e]))
            return false;
        if (acknowledged is not null)
            ForgetDelivered();
        return true;
    }

    private void ForgetDelivered()
    {
        foreach (var id in delivered.Keys.Where(id => Current.Outbox.All(a => a.AnswerId != id)).ToList())
            dispatched.Remove(id);
        delivered.Clear();
        lastFlush = time.GetUtcNow();
    }

    /// <summary>Hands undelivered answers to the deliverer: new ones at once, the URLs that did not record one again after a while.</summary>
    private void Dispatch(DateTimeOffset now)
    {
        foreach (var answer in refusals)
            Deliver(answer, answer.Undelivered, acknowledge: false);
        refusals.Clear();
        foreach (var answer in Current.Outbox)
        {
            if (dispatched.TryGetValue(answer.AnswerId, out var last) && last.At + Options.RedeliverAfter > now)
                continue;
            var waiting = delivered.TryGetValue(answer.AnswerId, out var done) ? [.. answer.Undelivered.Where(i => !done.Contains(i.UrlHash))] : answer.Undelivered;
            if (waiting.IsEmpty)
                continue;
            // An answer that counts as a send is never given up: forgetting it would let its URLs be sent again.
            if (last.Count >= MaxDeliveries && answer.Answer.Outcome is Outcomes.Deferred or Outcomes.Refused or Outcomes.Split)
            {
                LogGaveUp(logger, Key, answer.BatchId, waiting.Count);
                (delivered.TryGetValue(answer.AnswerId, out var given) ? given : delivered[answer.AnswerId] = []).UnionWith(waiting.Select(i => i.UrlHash));
                continue;
            }
            if (Deliver(answer, waiting, acknowledge: true)) // still being delivered: neither handed over nor counted
                dispatched[answer.AnswerId] = (now, last.Count + 1);
        }
    }

    private bool Deliver(OutboxAnswer answer, IReadOnlyList<LedgerItem> items, bool acknowledge)
    {
        var reports = items.Select(i => channel.Descriptor.Purpose == ChannelPurpose.Check || answer.Report
            ? new AddressedReport(i.UrlHash, null, CheckReport(answer, i))
            : new AddressedReport(i.UrlHash, Report(answer, i))).ToList();
        return deliverer.Deliver(tenant, Key, answer.AnswerId, reports, acknowledge);
    }

    /// <summary>
    /// One URL's share of an index check's answer: the provider's verdict when it gave one; a refusal (the credential
    /// is refused, the URL outside its scope) as a check that could not tell, with the reason as its evidence; null for
    /// an answer that is no verdict (deferred, lost in a crash): nothing is recorded and the backlink asks again.
    /// </summary>
    private IndexCheckReport? CheckReport(OutboxAnswer answer, LedgerItem item)
    {
        var a = answer.Answer;
        // A submission channel's own report (a vendor's task report) answers no check the backlink asked for.
        var unsolicited = answer.Report && channel.Descriptor.Purpose == ChannelPurpose.Submit;
        if (a.PerUrl?.GetValueOrDefault(item.UrlHash) is { Index: { } verdict } part)
            return new IndexCheckReport(channel.Descriptor.Name, answer.Fingerprint, answer.BatchId, verdict, part.Reason, part.Detail ?? a.Detail ?? "",
                part.Cost, a.DurationMs, unsolicited);
        var refused = a.Outcome == Outcomes.Refused ? (Reason: a.Reason, Detail: a.Detail)
            : a.PerUrl?.GetValueOrDefault(item.UrlHash) is { Outcome: Outcomes.Refused } own ? (own.Reason, own.Detail) : default;
        return refused == default ? null
            : new IndexCheckReport(channel.Descriptor.Name, answer.Fingerprint, answer.BatchId, IndexVerdicts.Unknown, refused.Reason,
                $"refused by {channel.Descriptor.Name}: {refused.Detail}", null, a.DurationMs);
    }

    /// <summary>One URL's share of an answer, as its backlink records it.</summary>
    private SubmissionReport Report(OutboxAnswer answer, LedgerItem item)
    {
        var a = answer.Answer;
        var (outcome, reason, detail, cost) = a.Outcome == Outcomes.Mixed && a.PerUrl?.GetValueOrDefault(item.UrlHash) is { } verdict
            ? (verdict.Outcome, verdict.Reason, verdict.Detail ?? a.Detail, verdict.Cost)
            : (a.Outcome == Outcomes.Split ? Outcomes.Deferred : a.Outcome, a.Reason, a.Detail, null);
        var accepted = outcome == Outcomes.Accepted;
        return new SubmissionReport(channel.Descriptor.Name, answer.Fingerprint, answer.BatchId, a.Status, accepted, detail, a.DurationMs,
            accepted && !item.Withdraw ? answer.At + item.FirstCheckAfter : null, reason, outcome, a.HoldUntil,
            Withdrawable: channel.Descriptor.Withdraws && !item.Withdraw, Withdrawal: item.Withdraw, Cost: accepted ? cost : null);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Quota {Key}: gave up delivering the answer to request {BatchId} ({Count} URLs); those backlinks will ask again")]
    private static partial void LogGaveUp(ILogger logger, string key, string batchId, int count);
}
