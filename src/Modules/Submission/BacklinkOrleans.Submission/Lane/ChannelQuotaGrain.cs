using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// The quota grain of one quota of one channel (<c>{tenant}/{channel}/{quotaKey}</c>): the generic half of every
/// channel (ADR 0013). It runs the pump on a timer, keeps the ledger as events (<see cref="QuotaLedger"/>, decisions
/// by <see cref="QuotaLedgerDecider"/>), and sends through the channel. At most once: a batch's reservation is
/// appended before it is sent (a conflict means another activation spends this quota, and nothing is sent); an
/// activation that finds a batch in flight reconciles it with the service where the channel can, or else records its
/// outcome as unknown and counts its quota as used. Every answer is in the ledger before it is delivered, from the
/// timer, never inside a backlink's own call.
/// </summary>
/// <remarks>
/// Concurrency: the pump (a non-interleaving timer) is the only writer of the ledger. <see cref="EnqueueAsync"/>,
/// <see cref="GetQuotaAsync"/> and <see cref="AcknowledgeAsync"/> interleave with it and touch only memory.
/// </remarks>
internal sealed partial class ChannelQuotaGrain(
    IEventStore store,
    EventTypeRegistry registry,
    ChannelRegistry channels,
    CredentialSource credentials,
    AnswerDeliverer deliverer,
    TimeProvider time,
    ILogger<ChannelQuotaGrain> logger)
    : EventSourcedGrain<QuotaLedger, IQuotaEvent>(store, registry), IChannelQuotaGrain
{
    private const int SendsPerTick = 10;
    /// <summary>Acknowledgements ride along with the ledger's next event; alone, they are written at most this often.</summary>
    private static readonly TimeSpan AcknowledgementFlush = TimeSpan.FromSeconds(10);

    /// <summary>URLs told to come back when a window opens arrive over its first minute; sending waits for them so the highest ranked go first.</summary>
    private static readonly TimeSpan WindowOpening = TimeSpan.FromSeconds(61);

    private readonly SendQueue queue = new();
    private readonly Bisections bisections = new(requestsPerRoot: 64);
    private readonly Random jitter = new();
    private IGrainTimer? pump;
    private string tenant = "";
    private string quotaKey = "";
    private IChannel channel = null!;
    private DateTimeOffset? opensAt;
    private long heldVersion = -1;
    private HashSet<string> held = [];

    /// <summary>
    /// URLs the pump took from the queue for the request it is preparing and sending: an enqueue that interleaves with
    /// the pump's awaits finds them in neither the queue nor the ledger yet, and must not queue them a second time.
    /// </summary>
    private readonly HashSet<string> taking = new(StringComparer.Ordinal);

    private LaneOptions Options => channel.Options;

    private string Key => this.GetPrimaryKeyString();

    protected override QuotaLedger Initial => QuotaLedger.Empty;

    protected override QuotaLedger Evolve(QuotaLedger state, IQuotaEvent e) => QuotaLedger.Evolve(state, e);

    protected override string StreamId => $"quota/{Key}";

    protected override int SnapshotEvery => 100;

    protected override IQuotaEvent SnapshotOf(QuotaLedger state) => new LedgerSnapshot(Guid.CreateVersion7(), state, time.GetUtcNow());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var parts = Key.Split('/', 3);
        (tenant, quotaKey) = (parts[0], parts[2]);
        channel = channels.Get(parts[1]);
        await base.OnActivateAsync(cancellationToken);
        // A batch still in flight belonged to an activation that is gone: ask the service where the channel can, else record it unknown.
        if (Current.InFlight.Count > 0)
            await SettleOrphansAsync(Current.InFlight.ToList(), "the silo sending it stopped before the answer was recorded");
        if (Current.Outbox.Count > 0)
            StartPump();
    }

    public async Task<Enqueued> EnqueueAsync(LaneItem item)
    {
        var now = time.GetUtcNow();
        if (Held().Contains(item.UrlHash) || taking.Contains(item.UrlHash) || queue.Contains(item.UrlHash) || bisections.Contains(item.UrlHash))
        {
            StartPump();
            return LookAgain(now, $"queued at {channel.Descriptor.Name} ({quotaKey})");
        }
        var lookup = await CredentialAsync(item.CredentialId, now);
        if (lookup.Unreadable is { } unreadable)
            return LookAgain(now, unreadable); // a passing fault (the key ring); the URL is not refused for it
        if (Unusable(lookup) is { } unusable)
            return Refuse([item], unusable.Reason, unusable.Detail, now);
        if (!UrlNormalizer.TryNormalize(item.Url, out var url, out _) || !channel.Covers(lookup.Credential!.Credential, url))
            return Refuse([item], FailureReasons.ChannelRejected,
                $"Not covered by {lookup.Credential?.Credential.Fingerprint}: {channel.Descriptor.Name} would refuse it.", now);
        if (Current.Pace.ParkedUntil is { } parked && parked > now)
            return new Enqueued(parked + Spread(item.UrlHash), $"{channel.Descriptor.Name} ({quotaKey}) is parked until {parked:u}: {Current.Pace.ParkReason}");
        var room = Current.Available(channel.Limits, now) - queue.Count - bisections.UrlCount;
        if (room <= 0 && !MakeRoomFor(item))
        {
            var next = Current.NextRoom(channel.Limits, now);
            if (next <= now)
                next = now + Options.AnswerWithin; // what is reserved may come back (a deferred answer)
            else
                opensAt = opensAt is { } o && o > next ? o : next;
            return new Enqueued(next + Spread(item.UrlHash),
                $"{channel.Descriptor.Name} ({quotaKey}): no quota left in this window; looking again when the next opens at {next:u}");
        }
        queue.Add(item with { EnqueuedAt = now });
        StartPump(immediately: queue.Count >= QuotaLedgerDecider.BatchSize(Current.Pace, Options));
        return LookAgain(now, $"queued at {channel.Descriptor.Name} ({quotaKey})");
    }

    /// <summary>When quota is scarce, a URL that ranks above the lowest queued one takes its place (that one's backlink asks again later).</summary>
    private bool MakeRoomFor(LaneItem item)
    {
        if (queue.Tail is not { } lowest || !SendQueue.Outranks(item, lowest))
            return false;
        queue.Remove(lowest.UrlHash);
        return true;
    }

    public Task<QuotaView> GetQuotaAsync()
    {
        var now = time.GetUtcNow();
        var ledger = Current;
        var windows = channel.Limits.Select(l =>
        {
            var used = ledger.UsedIn(l.Window, now);
            var resets = l.Window.NextAfter(now);
            return new QuotaWindowView(l.Window.Name, l.Limit, used, Math.Max(0, l.Limit - used - ledger.Reserved), resets,
                Local(l.Window, resets));
        }).ToList();
        var (state, detail) = ledger switch
        {
            { Pace.CredentialState: CredentialStates.Invalid } => (QuotaStates.Invalid, ledger.Pace.CredentialDetail),
            { Pace.ParkedUntil: { } parked } when parked > now => (QuotaStates.Parked, ledger.Pace.ParkReason),
            { Pace.BackoffUntil: { } until } when until > now =>
                (QuotaStates.BackingOff, $"{ledger.Pace.Consecutive429} × 429, {ledger.Pace.ConsecutiveFailures} × other failures in a row"),
            _ when windows.Any(w => w.Remaining == 0 && ledger.Reserved == 0) => (QuotaStates.Exhausted, "This window's quota is spent; queued URLs wait for the next."),
            { Pace.CredentialState: CredentialStates.Pending } => (QuotaStates.Pending, ledger.Pace.CredentialDetail),
            _ => (QuotaStates.Ok, null),
        };
        return Task.FromResult(new QuotaView(channel.Descriptor.Name, quotaKey, ledger.Pace.Fingerprint, windows, ledger.Reserved, state, detail,
            ledger.Pace.BackoffUntil > now ? ledger.Pace.BackoffUntil : null, ledger.Pace.ParkedUntil > now ? ledger.Pace.ParkedUntil : null,
            queue.Count + bisections.UrlCount, QuotaLedgerDecider.BatchSize(ledger.Pace, Options), ledger.Outbox.Sum(a => a.Undelivered.Count)));
    }

    private static string Local(QuotaWindow window, DateTimeOffset at) => window.Name switch
    {
        "pacific-day" => TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles")).ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture) + " (America/Los_Angeles)",
        _ => at.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC",
    };

    public Task WakeAsync()
    {
        ForgetCredentials();
        StartPump(immediately: true);
        return Task.CompletedTask;
    }

    /// <summary>The timer's work: record acknowledgements, send what the limits, the pace and the linger allow, deliver answers.</summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await FlushAcknowledgementsAsync(force: false);
        await RefreshCredentialsAsync(time.GetUtcNow());
        await ExpireStaleReservationsAsync(time.GetUtcNow());
        for (var sends = 0; sends < SendsPerTick && !cancellationToken.IsCancellationRequested; sends++)
        {
            if (!await SendNextAsync(time.GetUtcNow()))
                break;
        }
        Dispatch(time.GetUtcNow());
        if (queue.Count == 0 && bisections.UrlCount == 0 && Current.Outbox.Count == 0 && Current.InFlight.Count == 0 && refusals.Count == 0)
        {
            await FlushAcknowledgementsAsync(force: true);
            if (Current.Outbox.Count == 0)
                StopPump();
        }
    }

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
        try
        {
            outcome = await channel.SendAsync(send, CancellationToken.None);
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

    /// <summary>
    /// The URLs that must not be sent now: in flight, or sent (accepted, unknown, or a mixed answer) with the answer not
    /// yet delivered. Kept per ledger version, since every enqueue asks.
    /// </summary>
    private HashSet<string> Held()
    {
        if (heldVersion != Version)
        {
            held = [.. Current.InFlight.SelectMany(b => b.Items).Select(i => i.UrlHash)
                .Concat(Current.Outbox.Where(a => a.Answer.Outcome is Outcomes.Accepted or Outcomes.Unknown or Outcomes.Mixed)
                    .SelectMany(a => a.Undelivered).Select(i => i.UrlHash))];
            heldVersion = Version;
        }
        return held;
    }

    private Enqueued LookAgain(DateTimeOffset now, string detail) =>
        new(now + Options.AnswerWithin + (Current.Pace.BackoffUntil is { } until && until > now ? until - now : TimeSpan.Zero), detail);

    /// <summary>Spreads the URLs that wait for the next window over its first minute.</summary>
    private static TimeSpan Spread(string urlHash) => TimeSpan.FromSeconds(Convert.ToInt32(urlHash[..2], 16) % 60);

    private static string NewBatchId(DateTimeOffset now) => $"b-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..32];

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota {Key}: request {BatchId} with {Count} URLs answered {Status} ({Outcome}) {Detail}")]
    private static partial void LogAnswered(ILogger logger, string key, string batchId, int count, int status, string outcome, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quota {Key}: the channel threw while sending request {BatchId}; its URLs are outcome-unknown")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: another activation wrote the ledger; request {BatchId} was not sent")]
    private static partial void LogReservationConflict(ILogger logger, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quota {Key}: the answer to request {BatchId} could not be persisted; it is delivered from memory")]
    private static partial void LogAnswerNotPersisted(ILogger logger, string key, string batchId);
}
