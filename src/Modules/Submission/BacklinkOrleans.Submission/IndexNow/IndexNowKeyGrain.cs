using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Delivery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// The quota grain of one IndexNow key (<c>{tenant}/{host}</c>). At most once: a batch is persisted as in flight, with
/// its quota reserved, before its POST leaves (an ETag conflict means another activation spends this key, and nothing
/// is sent); an activation that finds a batch in flight cannot know whether it arrived, so its URLs become
/// outcome-unknown and their quota counts as used. Every answer is persisted in the outbox before it is delivered,
/// by a courier, from the timer: never inside a backlink's own call. See ADR 0012.
/// </summary>
/// <remarks>
/// Concurrency: the pump (a non-interleaving timer) is the only writer of the ledger. <see cref="EnqueueAsync"/>,
/// <see cref="GetQuotaAsync"/> and <see cref="AcknowledgeAsync"/> interleave with it and touch only memory: the queue,
/// and flags the pump applies (acknowledgements, a restored key).
/// </remarks>
internal sealed partial class IndexNowKeyGrain(
    [PersistentState("indexnow-key", GrainStorage.State)] IPersistentState<KeyLedger> ledger,
    IGrainFactory grains,
    KeySource keys,
    IndexNowClient client,
    TimeProvider time,
    IOptions<IndexNowOptions> options,
    ILogger<IndexNowKeyGrain> logger) : Grain, IIndexNowKeyGrain
{
    private const int SendsPerTick = 10;
    private const int MaxDeliveries = 20;
    private static readonly TimeSpan CredentialTtl = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan UnusableKeyTtl = TimeSpan.FromSeconds(2);

    private readonly SendQueue queue = new();
    private readonly Bisections bisections = new(requestsPerRoot: 64);
    private readonly List<PendingAnswer> unpersisted = [];
    private readonly Dictionary<string, (DateTimeOffset At, int Count)> dispatched = new(StringComparer.Ordinal);
    private readonly HashSet<string> acknowledged = new(StringComparer.Ordinal);
    private readonly Random jitter = new();
    private IGrainTimer? pump;
    private bool dirty;
    private bool restored;
    private string tenant = "";
    private string host = "";
    private Task<KeyLookup>? keyTask;
    private int ledgerEdits;
    private (int Edits, HashSet<string> Hashes) held = (-1, []);

    private enum Write
    {
        Written,
        Conflict,
        Failed,
    }

    private IndexNowOptions Options => options.Value;

    private KeyLedger Ledger => ledger.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKeyString();
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        (tenant, host) = (id[..slash], id[(slash + 1)..]);
        NormalizeBatchSize();
        // A batch still in flight belonged to an activation that is gone: whether it arrived cannot be known.
        for (var attempt = 0; attempt < 3 && Ledger.InFlight.Count > 0; attempt++)
        {
            MarkUnknown(Ledger.InFlight.ToList(), "the silo sending it stopped before the answer was recorded");
            if (await WriteAsync() != Write.Conflict)
                break;
        }
        if (Ledger.Outbox.Count > 0 || Ledger.InFlight.Count > 0 || dirty)
            StartPump();
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<DateTimeOffset> EnqueueAsync(QueuedUrl url)
    {
        var now = time.GetUtcNow();
        if (Held().Contains(url.UrlHash) || queue.Contains(url.UrlHash) || bisections.Contains(url.UrlHash))
        {
            StartPump();
            return LookAgain(now);
        }
        var lookup = await CurrentKeyAsync(now);
        if (lookup.Key is { } candidate && Restorable(candidate))
            restored = true; // verified again or replaced since the engine refused it: the pump records it
        if (lookup.Unreadable is not null)
            return LookAgain(now); // a passing fault (the key ring); the URL is not refused for it
        if (Unusable(lookup) is { } unusable)
            return Refuse([url], unusable.Reason, unusable.Detail, now);
        var scope = lookup.Key!.Credential.Scope;
        if (!UrlNormalizer.TryNormalize(url.Url, out var normalized, out _) || !IndexNowKeyScope.Covers(scope, normalized))
            return Refuse([url], FailureReasons.ChannelRejected,
                $"Not on {host} inside the key location's folder {IndexNowKeyScope.Folder(scope) ?? "/"}: IndexNow would refuse the whole batch.", now);
        var room = Ledger.Available(now, Options.DailyLimit) - queue.Count - bisections.UrlCount;
        if (room <= 0)
            return KeyLedger.NextWindow(now) + Spread(url.UrlHash);
        queue.Add(url with { EnqueuedAt = now });
        StartPump(immediately: queue.Count >= Ledger.BatchSize);
        return LookAgain(now);
    }

    public Task<IndexNowQuota> GetQuotaAsync()
    {
        var now = time.GetUtcNow();
        var used = Ledger.UsedOn(now);
        var lookup = keyTask is { IsCompletedSuccessfully: true } loaded ? loaded.Result : null;
        var (state, detail) = Ledger switch
        {
            _ when lookup is { Key: null } => (KeyStates.NoCredential, lookup.Unreadable ?? $"The tenant has no IndexNow key for {host}."),
            { KeyState: KeyStates.Invalid } when !restored => (KeyStates.Invalid, Ledger.KeyDetail),
            { BackoffUntil: { } until } when until > now => (KeyStates.BackingOff, $"{Ledger.Consecutive429} × 429, {Ledger.ConsecutiveFailures} × other failures in a row"),
            _ when used >= Options.DailyLimit => (KeyStates.Exhausted, "Today's budget is spent; queued URLs wait for the next window."),
            { KeyState: KeyStates.Pending } => (KeyStates.Pending, Ledger.KeyDetail),
            _ => (KeyStates.Ok, null),
        };
        var credential = lookup?.Key?.Credential;
        return Task.FromResult(new IndexNowQuota(host, credential?.Id, credential?.Fingerprint ?? Ledger.Fingerprint, Options.DailyLimit, used,
            Ledger.Reserved, KeyLedger.NextWindow(now), state, detail, Ledger.BackoffUntil > now ? Ledger.BackoffUntil : null,
            queue.Count + bisections.UrlCount, Ledger.BatchSize, Ledger.Outbox.Count + unpersisted.Count));
    }

    public Task AcknowledgeAsync(string answerId)
    {
        acknowledged.Add(answerId); // applied by the pump, the ledger's only writer
        StartPump();
        return Task.CompletedTask;
    }

    public Task WakeAsync()
    {
        keyTask = null;
        StartPump(immediately: true);
        return Task.CompletedTask;
    }

    /// <summary>The timer's work: record acknowledgements, send what the budget, the backoff and the linger allow, deliver answers.</summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Ledger.Roll(now);
        ApplyAcknowledgements();
        await RefreshKeyAsync(now);
        ExpireStaleReservations(now);
        for (var sends = 0; sends < SendsPerTick && !cancellationToken.IsCancellationRequested; sends++)
        {
            if (!await SendNextAsync(time.GetUtcNow()))
                break;
        }
        if (dirty)
            await WriteAsync();
        Dispatch(time.GetUtcNow());
        if (queue.Count == 0 && bisections.UrlCount == 0 && Ledger.Outbox.Count == 0 && Ledger.InFlight.Count == 0 && unpersisted.Count == 0
            && acknowledged.Count == 0 && !dirty)
            StopPump();
    }

    /// <summary>Sends one batch if one may go now; false when nothing more can be sent this tick.</summary>
    private async Task<bool> SendNextAsync(DateTimeOffset now)
    {
        if (queue.Count == 0 && bisections.UrlCount == 0)
            return false;
        var lookup = await CurrentKeyAsync(now);
        if (lookup.Unreadable is not null)
            return false; // the URLs wait; the key is read again shortly
        if (Unusable(lookup) is { } unusable)
        {
            Refuse(TakeEverything(), unusable.Reason, unusable.Detail, now);
            return false;
        }
        var key = lookup.Key!;
        if (Ledger.BackoffUntil > now)
            return false;

        string batchId, root;
        List<QueuedUrl> urls;
        if (bisections.TryPeek(out var part))
        {
            (batchId, root, urls) = (part.BatchId, part.Root, part.Urls);
            if (Ledger.Available(now, Options.DailyLimit) < urls.Count)
                return false;
            bisections.Dequeue();
        }
        else
        {
            if (queue.Count < Ledger.BatchSize && queue.OldestEnqueuedAt + Options.Linger > now)
                return false; // let the batch fill a little longer
            var available = Math.Min(Ledger.BatchSize, Ledger.Available(now, Options.DailyLimit));
            if (available == 0)
                return false; // queued URLs wait for the next window; their backlinks come back then
            urls = queue.Take(available);
            batchId = NewBatchId(now);
            root = batchId;
        }
        urls = [.. urls.Where(u => !Held().Contains(u.UrlHash))]; // in flight or answered by a rival activation meanwhile
        if (urls.Count == 0)
            return true;

        var batch = new InFlightBatch(batchId, urls, now, key.Credential.Fingerprint);
        Ledger.InFlight.Add(batch);
        Ledger.Fingerprint = key.Credential.Fingerprint;
        switch (await WriteAsync())
        {
            case Write.Conflict:
                // Another activation wrote this key's ledger: our view was stale, so nothing is sent on it.
                LogReservationConflict(logger, this.GetPrimaryKeyString(), batchId);
                queue.PutBack(urls);
                return false;
            case Write.Failed:
                Ledger.InFlight.Remove(batch); // not reserved, so not sent
                queue.PutBack(urls);
                return false;
        }

        var answer = await client.PostAsync(key.Credential.Scope.Endpoint ?? CredentialKinds.IndexNowEndpoints[0], host, key.Key, key.KeyLocation,
            [.. urls.Select(u => u.Url)], CancellationToken.None);
        LogAnswered(logger, this.GetPrimaryKeyString(), batchId, urls.Count, answer.Status, answer.Excerpt);
        await SettleAsync(batch, root, answer, time.GetUtcNow());
        return Ledger.BackoffUntil is null || Ledger.BackoffUntil <= time.GetUtcNow();
    }

    /// <summary>Records what one POST's answer means for the key, its queue and its URLs, and persists it with the answer.</summary>
    private async Task SettleAsync(InFlightBatch batch, string root, IndexNowAnswer answer, DateTimeOffset now)
    {
        var urls = batch.Urls;
        var (outcome, reason) = AnswerRules.Classify(answer, urls.Count);
        var detail = AnswerRules.Describe(answer);
        if (outcome == SubmissionOutcomes.Deferred)
        {
            if (answer.Status is 400 or 422)
                Bisect(batch.BatchId, root, urls);
            else
                queue.PutBack(urls);
        }
        PendingAnswer Answer() => new(batch.BatchId, batch.Fingerprint, answer.Status, outcome, reason, detail, answer.DurationMs, now,
            outcome == SubmissionOutcomes.Unknown ? now + Options.UnknownOutcomeHold : null, urls);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ours = Ledger.InFlight.RemoveAll(b => b.BatchId == batch.BatchId) > 0;
            Ledger.Roll(now);
            if (ours && outcome is SubmissionOutcomes.Accepted or SubmissionOutcomes.Unknown)
                Ledger.Used += urls.Count; // (when not ours, the activation that took it over counted it already)
            Ledger.Learn(answer, outcome, detail, now, Options, jitter.NextDouble());
            Ledger.Outbox.Add(Answer());
            // Written, or kept in memory to be written on the next tick (the answer is delivered from memory meanwhile).
            if (await WriteAsync() != Write.Conflict)
            {
                if (answer.Status == 403)
                    Refuse(TakeEverything(), FailureReasons.KeyInvalid, detail ?? "HTTP 403", now);
                return;
            }
        }
        LogAnswerNotPersisted(logger, this.GetPrimaryKeyString(), batch.BatchId);
        unpersisted.Add(Answer());
    }

    /// <summary>Why no URL can be sent with this key, if so: the tenant has none, or the engine refused it.</summary>
    private (string Reason, string Detail)? Unusable(KeyLookup lookup) =>
        lookup.Key is null ? (FailureReasons.NoChannel, $"The tenant has no IndexNow key for {host}.")
        : Ledger.KeyState == KeyStates.Invalid && !restored ? (FailureReasons.KeyInvalid, Ledger.KeyDetail ?? "The IndexNow key was refused.")
        : null;

    /// <summary>An unexpected 422 refuses the whole request: send each half alone to find the URLs it is about.</summary>
    private void Bisect(string batchId, string root, IReadOnlyList<QueuedUrl> urls)
    {
        if (!bisections.Split(batchId, root, urls))
            Refuse([.. urls], FailureReasons.ChannelRejected,
                $"IndexNow refused these URLs in every part of request {root} it was split into ({bisections.RequestsPerRoot} requests).", time.GetUtcNow());
    }

    /// <summary>Batches found in flight long after any send could still be waiting: an activation that died mid-send.</summary>
    private void ExpireStaleReservations(DateTimeOffset now)
    {
        var stale = Ledger.InFlight.Where(b => b.ReservedAt + Options.MaxSendDuration + TimeSpan.FromMinutes(1) < now).ToList();
        if (stale.Count == 0)
            return;
        MarkUnknown(stale, "its reservation outlived any send: the activation that made it is gone");
        dirty = true;
    }

    private void MarkUnknown(List<InFlightBatch> batches, string why)
    {
        var now = time.GetUtcNow();
        Ledger.Roll(now);
        ledgerEdits++;
        foreach (var batch in batches)
        {
            Ledger.InFlight.Remove(batch);
            Ledger.Used += batch.Urls.Count; // it may have been spent: count it, never spend it twice
            // The POST may have left as late as the reservation plus the longest send: hold a full day after that.
            Ledger.Outbox.Add(new PendingAnswer(batch.BatchId, batch.Fingerprint, 0, SubmissionOutcomes.Unknown, null,
                $"Outcome unknown: {why}.", 0, now, batch.ReservedAt + Options.MaxSendDuration + Options.UnknownOutcomeHold, batch.Urls));
            LogUnknown(logger, this.GetPrimaryKeyString(), batch.BatchId, batch.Urls.Count);
        }
    }

    private List<QueuedUrl> TakeEverything()
    {
        var all = queue.Take(queue.Count);
        all.AddRange(bisections.TakeAll());
        return all;
    }

    /// <summary>
    /// The URLs that must not be sent now: in flight, or sent (accepted or unknown) with the answer not yet delivered.
    /// Indexed, since every enqueue asks. (URLs of a deferred answer are back in the queue; a refused one's are gone.)
    /// </summary>
    private HashSet<string> Held()
    {
        if (held.Edits != ledgerEdits)
            held = (ledgerEdits, [.. Ledger.InFlight.SelectMany(b => b.Urls)
                .Concat(Ledger.Outbox.Where(a => a.Outcome is SubmissionOutcomes.Accepted or SubmissionOutcomes.Unknown).SelectMany(a => a.Urls))
                .Select(u => u.UrlHash)]);
        return held.Hashes;
    }

    /// <summary>Persists the ledger: written; a conflict (another activation wrote it: it is read again); or a storage failure (kept in memory, written later).</summary>
    private async Task<Write> WriteAsync()
    {
        ledgerEdits++;
        try
        {
            await ledger.WriteStateAsync();
            dirty = false;
            return Write.Written;
        }
        catch (InconsistentStateException)
        {
            await ledger.ReadStateAsync();
            NormalizeBatchSize();
            ledgerEdits++;
            return Write.Conflict;
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e, this.GetPrimaryKeyString());
            dirty = true;
            return Write.Failed;
        }
    }

    private void NormalizeBatchSize() =>
        Ledger.BatchSize = Ledger.BatchSize <= 0 ? Options.MaxBatchSize : Math.Min(Ledger.BatchSize, Options.MaxBatchSize);

    private DateTimeOffset LookAgain(DateTimeOffset now) =>
        now + Options.AnswerWithin + (Ledger.BackoffUntil is { } until && until > now ? until - now : TimeSpan.Zero);

    /// <summary>Spreads the URLs that wait for the next window over its first minute.</summary>
    private static TimeSpan Spread(string urlHash) => TimeSpan.FromSeconds(Convert.ToInt32(urlHash[..2], 16) % 60);

    private static string NewBatchId(DateTimeOffset now) => $"in-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..32];

    private void StartPump(bool immediately = false)
    {
        if (pump is null)
            pump = this.RegisterGrainTimer(PumpAsync, new GrainTimerCreationOptions(
                immediately ? TimeSpan.Zero : Options.PumpInterval, Options.PumpInterval) { Interleave = false, KeepAlive = true });
        else if (immediately)
            pump.Change(TimeSpan.Zero, Options.PumpInterval);
    }

    private void StopPump()
    {
        pump?.Dispose();
        pump = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IndexNow {Key}: request {BatchId} with {Count} URLs answered {Status} {Excerpt}")]
    private static partial void LogAnswered(ILogger logger, string key, string batchId, int count, int status, string? excerpt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IndexNow {Key}: another activation wrote the ledger; request {BatchId} was not sent")]
    private static partial void LogReservationConflict(ILogger logger, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IndexNow {Key}: request {BatchId} ({Count} URLs) was in flight when its sender stopped; its URLs are outcome-unknown")]
    private static partial void LogUnknown(ILogger logger, string key, string batchId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "IndexNow {Key}: the answer to request {BatchId} could not be persisted; it is delivered from memory")]
    private static partial void LogAnswerNotPersisted(ILogger logger, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Error, Message = "IndexNow {Key}: gave up delivering the answer to request {BatchId} ({Count} URLs); those backlinks will ask again")]
    private static partial void LogGaveUp(ILogger logger, string key, string batchId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "IndexNow {Key}: the key was verified again or replaced; sending resumes")]
    private static partial void LogKeyRestored(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "IndexNow {Key}: the ledger could not be written; nothing is sent until it can be")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string key);
}
