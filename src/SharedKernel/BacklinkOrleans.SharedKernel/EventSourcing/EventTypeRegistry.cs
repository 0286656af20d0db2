using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.EventSourcing;

/// <summary>
/// One stored-name ↔ CLR-type pair. Aliases never change once events carrying them have been stored. A snapshot type
/// holds a whole aggregate state; reads of the current state start at its latest one.
/// </summary>
public sealed record EventTypeRegistration(string Alias, Type Type, bool IsSnapshot = false);

/// <summary>
/// The explicit map between stored event names and CLR types, and their JSON form. Stored names are never taken
/// from type names, so renaming a class cannot orphan stored events.
/// </summary>
public sealed class EventTypeRegistry
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, Type> typesByAlias = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> aliasesByType = [];
    private readonly HashSet<Type> snapshots = [];

    public EventTypeRegistry(IEnumerable<EventTypeRegistration> registrations)
    {
        foreach (var (alias, type, isSnapshot) in registrations)
        {
            if (isSnapshot)
                snapshots.Add(type);
            if (typesByAlias.TryGetValue(alias, out var existing) && existing != type)
                throw new InvalidOperationException($"Event alias '{alias}' is registered for both {existing} and {type}.");
            if (aliasesByType.TryGetValue(type, out var other) && other != alias)
                throw new InvalidOperationException($"Event type {type} is registered as both '{other}' and '{alias}'.");
            typesByAlias[alias] = type;
            aliasesByType[type] = alias;
        }
    }

    public IReadOnlyCollection<EventTypeRegistration> Registrations =>
        typesByAlias.Select(pair => new EventTypeRegistration(pair.Key, pair.Value, snapshots.Contains(pair.Value))).ToList();

    public string AliasOf(Type type) => aliasesByType.TryGetValue(type, out var alias)
        ? alias
        : throw new InvalidOperationException($"Event type {type} has no registered alias; register it with AddEventType<T>(alias).");

    public EventData ToEventData(IDomainEvent domainEvent, string metadata = "{}") =>
        new(domainEvent.EventId, AliasOf(domainEvent.GetType()),
            JsonSerializer.Serialize(domainEvent, domainEvent.GetType(), JsonOptions), metadata, snapshots.Contains(domainEvent.GetType()));

    public IDomainEvent Deserialize(StoredEvent stored) => Deserialize(stored.Type, stored.Data, stored.StreamId);

    public IDomainEvent Deserialize(string alias, string json, string? streamId = null)
    {
        if (!typesByAlias.TryGetValue(alias, out var type))
            throw new InvalidOperationException($"Stored event type '{alias}'{Where(streamId)} has no registered CLR type.");
        try
        {
            return JsonSerializer.Deserialize(json, type, JsonOptions) as IDomainEvent
                ?? throw new InvalidOperationException($"Stored event '{alias}'{Where(streamId)} deserialized to null.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Stored event '{alias}'{Where(streamId)} is not valid JSON for {type}: {e.Message}", e);
        }
    }

    private static string Where(string? streamId) => streamId is null ? "" : $" in stream '{streamId}'";
}
