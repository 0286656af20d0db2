using BacklinkOrleans.SharedKernel.EventStore;
using Orleans.EventSourcing;
using Orleans.EventSourcing.CustomStorage;
using Orleans.Providers;

namespace BacklinkOrleans.SharedKernel.EventSourcing;

/// <summary>
/// The mutable holder <see cref="JournaledGrain{TState,TEvent}"/> needs around an immutable state record.
/// Orleans deep-copies the view (confirmed vs tentative), so the holder is serializable and the state record must
/// be <c>[GenerateSerializer, Immutable]</c>: copies then share the immutable record and only the holder is new.
/// </summary>
[GenerateSerializer, Alias("backlink-orleans.event-sourced-state`1")]
public sealed class EventSourcedState<TState> where TState : class
{
    [Id(0)] public TState? Current { get; set; }
}

/// <summary>
/// Base of every event-sourced grain: a <see cref="JournaledGrain{TState,TEvent}"/> whose log lives in our
/// <see cref="IEventStore"/> (one stream per grain, keyed by <see cref="StreamId"/>) through the "CustomStorage"
/// log-consistency provider. Subclasses supply the initial state and a total, pure <see cref="Evolve"/>.
/// </summary>
/// <remarks>
/// Orleans swallows exceptions thrown while applying an event, and retries a failed append forever, so
/// <see cref="Evolve"/> must never throw and every event type must serialize (both are tested per aggregate).
/// </remarks>
[LogConsistencyProvider(ProviderName = ProviderName)]
public abstract class EventSourcedGrain<TState, TEvent>(IEventStore store, EventTypeRegistry registry)
    : JournaledGrain<EventSourcedState<TState>, TEvent>, ICustomStorageInterface<EventSourcedState<TState>, TEvent>
    where TState : class
    where TEvent : class, IDomainEvent
{
    public const string ProviderName = "CustomStorage";

    protected abstract TState Initial { get; }

    /// <summary>Folds one event into the state. Pure and total: no I/O, no exceptions.</summary>
    protected abstract TState Evolve(TState state, TEvent @event);

    /// <summary>The event stream of this grain; by default its string key.</summary>
    protected virtual string StreamId => this.GetPrimaryKeyString();

    /// <summary>Metadata stored beside each event (JSON object).</summary>
    protected virtual string MetadataFor(TEvent @event) => "{}";

    /// <summary>The current confirmed state.</summary>
    protected TState Current => State.Current ?? Initial;

    protected sealed override void TransitionState(EventSourcedState<TState> state, TEvent @event) =>
        state.Current = Evolve(state.Current ?? Initial, @event);

    public async Task<KeyValuePair<int, EventSourcedState<TState>>> ReadStateFromStorage()
    {
        var stored = await store.ReadStreamAsync(StreamId);
        var state = Initial;
        foreach (var e in stored)
            state = Evolve(state, (TEvent)registry.Deserialize(e));
        return new(checked((int)(stored.Count == 0 ? 0 : stored[^1].Version)), new EventSourcedState<TState> { Current = state });
    }

    private const int MaxAppendAttempts = 30;

    /// <summary>
    /// Appends the batch. When an append fails without an answer (a lost connection, a timeout), whether it was
    /// stored is unknown; the same event ids are sent again until the store answers definitely (appended, already
    /// appended, or conflict). Handing the failure to Orleans instead would make it re-read the stream — which may
    /// already hold the events — and then apply the same events a second time.
    /// </summary>
    public async Task<bool> ApplyUpdatesToStorage(IReadOnlyList<TEvent> updates, int expectedVersion)
    {
        var data = updates.Select(u => registry.ToEventData(u, MetadataFor(u))).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await store.AppendAsync(StreamId, expectedVersion, data)).Succeeded;
            }
            catch (Exception e) when (e is not ArgumentException && attempt < MaxAppendAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, attempt - 1))));
            }
        }
    }
}
