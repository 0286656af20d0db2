using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.EventSourcing;

/// <summary>
/// Base of every event-sourced grain: its state is the fold of its stream in our <see cref="IEventStore"/> (read at
/// activation, from the latest snapshot on), and every change is an append with the version the decision was made on
/// (ADR 0014). The append is the single-writer guarantee across silos: when another activation moved the stream
/// first, the append is refused, the state is read again and the caller decides again on what is really there —
/// events decided on a stale state are never stored. Subclasses supply the initial state and a total, pure
/// <see cref="Evolve"/>.
/// </summary>
public abstract class EventSourcedGrain<TState, TEvent>(IEventStore store, EventTypeRegistry registry) : Grain
    where TState : class
    where TEvent : class, IDomainEvent
{
    private const int MaxAppendAttempts = 30;
    private TState? current;

    protected abstract TState Initial { get; }

    /// <summary>Folds one event into the state. Pure and total: no I/O, no exceptions.</summary>
    protected abstract TState Evolve(TState state, TEvent @event);

    /// <summary>The event stream of this grain; by default its string key.</summary>
    protected virtual string StreamId => this.GetPrimaryKeyString();

    /// <summary>Metadata stored beside each event (JSON object).</summary>
    protected virtual string MetadataFor(TEvent @event) => "{}";

    /// <summary>The state: every event stored in the stream, folded.</summary>
    protected TState Current => current ?? Initial;

    /// <summary>The stream's version that <see cref="Current"/> reflects (its number of events).</summary>
    protected long Version { get; private set; }

    /// <summary>
    /// Every this many events a snapshot event of the state is appended, so reading the stream again starts there
    /// (long-lived streams such as quota ledgers); 0: never. The snapshot event's type must be registered as one.
    /// </summary>
    protected virtual int SnapshotEvery => 0;

    /// <summary>The snapshot event of <paramref name="state"/> (see <see cref="SnapshotEvery"/>).</summary>
    protected virtual TEvent? SnapshotOf(TState state) => null;

    private long snapshotVersion;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        await base.OnActivateAsync(cancellationToken);
    }

    /// <summary>Reads the stream again (from its latest snapshot on) and folds it.</summary>
    protected async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadCurrentAsync(StreamId, cancellationToken);
        var state = Initial;
        foreach (var e in stored)
            state = Evolve(state, (TEvent)registry.Deserialize(e));
        current = state;
        Version = stored.Count == 0 ? 0 : stored[^1].Version;
        snapshotVersion = stored.Count == 0 ? 0 : stored[0].Version; // reads start at the latest snapshot (or the first event)
    }

    /// <summary>
    /// Appends <paramref name="events"/>, decided on <see cref="Current"/> at <see cref="Version"/>, and folds them.
    /// False when another writer moved the stream meanwhile: nothing of ours was stored, the state has been read again,
    /// and the caller decides again. When an append fails without an answer (a lost connection, a timeout), whether
    /// it was stored is unknown: the same event ids are sent again until the store answers definitely.
    /// </summary>
    protected async Task<bool> AppendAsync(IReadOnlyList<TEvent> events)
    {
        if (events.Count == 0)
            return true;
        var data = events.Select(e => registry.ToEventData(e, MetadataFor(e))).ToList();
        for (var attempt = 1; ; attempt++)
        {
            AppendResult result;
            try
            {
                result = await store.AppendAsync(StreamId, Version, data);
            }
            catch (Exception e) when (e is not ArgumentException && attempt < MaxAppendAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, attempt - 1))));
                continue;
            }
            switch (result.Status)
            {
                case AppendStatus.Appended:
                    var state = Current;
                    foreach (var e in events)
                        state = Evolve(state, e);
                    current = state;
                    Version = result.StreamVersion;
                    if (SnapshotEvery > 0 && Version - snapshotVersion >= SnapshotEvery && SnapshotOf(state) is { } snapshot)
                    {
                        snapshotVersion = Version + 1;
                        await AppendAsync([snapshot]); // a conflict here only means another writer moved on; it snapshots itself
                    }
                    return true;
                case AppendStatus.AlreadyAppended:
                    // an earlier attempt of ours was stored (its answer was lost); others may have followed it
                    await ReloadAsync();
                    return true;
                default:
                    await ReloadAsync();
                    return false;
            }
        }
    }
}
