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
    LaneMetrics metrics,
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
        if (Current.Outbox.Count > 0 || Current.Awaited.Count > 0)
            StartPump();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(Key);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<Enqueued> EnqueueAsync(LaneItem item)
    {
        var now = time.GetUtcNow();
        if (AwaitedUntil(item.UrlHash) is { } reportDue)
            return new Enqueued((reportDue > now ? reportDue : now) + Options.AnswerWithin,
                $"taken by {channel.Descriptor.Name} ({quotaKey}); its report is asked for at {reportDue:u}");
        if (Held().Contains(item.UrlHash) || taking.Contains(item.UrlHash) || queue.Contains(item.UrlHash) || bisections.Contains(item.UrlHash))
        {
            StartPump();
            return Parked(item, now) ?? LookAgain(now, $"queued at {channel.Descriptor.Name} ({quotaKey})");
        }
        var lookup = await CredentialAsync(item.CredentialId, now);
        if (lookup.Unreadable is { } unreadable)
            return LookAgain(now, unreadable); // a passing fault (the key ring); the URL is not refused for it
        if (Unusable(lookup) is { } unusable)
            return Refuse([item], unusable.Reason, unusable.Detail, now);
        if (!UrlNormalizer.TryNormalize(item.Url, out var url, out _) || !channel.Covers(lookup.Credential!.Credential, url))
            return Refuse([item], FailureReasons.ChannelRejected,
                $"Not covered by {lookup.Credential?.Credential.Fingerprint}: {channel.Descriptor.Name} would refuse it.", now);
        if (Parked(item, now) is { } parkedAnswer)
            return parkedAnswer;
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

    /// <summary>While the quota is parked (a spent daily quota, a paid account out of credits): when to look again, and why.</summary>
    private Enqueued? Parked(LaneItem item, DateTimeOffset now) =>
        Current.Pace.ParkedUntil is { } parked && parked > now
            ? new Enqueued(parked + Spread(item.UrlHash), $"{channel.Descriptor.Name} ({quotaKey}) is parked until {parked:u}: {Current.Pace.ParkReason}")
            : null;

    /// <summary>When quota is scarce, a URL that ranks above the lowest queued one takes its place (that one's backlink asks again later).</summary>
    private bool MakeRoomFor(LaneItem item)
    {
        if (queue.Tail is not { } lowest || !SendQueue.Outranks(item, lowest))
            return false;
        queue.Remove(lowest.UrlHash);
        return true;
    }

    public Task WakeAsync()
    {
        credentials.Invalidate(tenant); // the change may have been made through another silo
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
        await PollReportsAsync(time.GetUtcNow());
        Dispatch(time.GetUtcNow());
        var now = time.GetUtcNow();
        metrics.Report(Key, channel.Descriptor.Name, queue.Count + bisections.UrlCount, channel.Limits.Select(l => (l.Window.Name, Current.UsedIn(l.Window, now), l.Limit)));
        if (queue.Count == 0 && bisections.UrlCount == 0 && Current.Outbox.Count == 0 && Current.InFlight.Count == 0 && refusals.Count == 0
            && Current.Awaited.Count == 0)
        {
            await FlushAcknowledgementsAsync(force: true);
            if (Current.Outbox.Count == 0)
                StopPump();
        }
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
}
