using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Grains;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>Audits: a backlink's full event history from the store, and its state replayed to any moment.</summary>
internal sealed class BacklinkHistory(IEventStore store, EventTypeRegistry registry)
{
    public async Task<IReadOnlyList<BacklinkEventView>> EventsAsync(string tenant, string urlHash, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(StreamIds.Backlink(tenant, urlHash), cancellationToken: cancellationToken);
        return [.. events.Select(e =>
        {
            using var data = JsonDocument.Parse(e.Data);
            return new BacklinkEventView(e.Version, e.Type, e.RecordedAt, data.RootElement.Clone());
        })];
    }

    /// <summary>The state as it was at <paramref name="asOf"/> (events recorded until then, folded); null if not yet collected.</summary>
    public async Task<BacklinkView?> StateAsOfAsync(string tenant, string urlHash, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(StreamIds.Backlink(tenant, urlHash), asOf, cancellationToken);
        var state = events.Aggregate((BacklinkState)BacklinkState.None.Instance,
            (s, e) => BacklinkState.Evolve(s, (IBacklinkEvent)registry.Deserialize(e)));
        return BacklinkViews.ToView(state, events.Count == 0 ? 0 : events[^1].Version, asOf);
    }
}
