namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>
/// An event to append: its id (the idempotency key), its stable type alias and its JSON payloads. A snapshot event
/// holds the whole state of its stream's aggregate at that version: reads for the current state start there.
/// </summary>
public sealed record EventData(Guid EventId, string Type, string Data, string Metadata, bool IsSnapshot = false);

/// <summary>An event as stored: its global <see cref="Position"/> and its <see cref="Version"/> in its stream.</summary>
/// <remarks>
/// Positions are unique and increase with each commit's allocation, but concurrent transactions may commit out of
/// position order: use them for audits and rebuilds, never as a live-tailing cursor without a high-water mark.
/// </remarks>
public sealed record StoredEvent(
    long Position,
    Guid EventId,
    string StreamId,
    long Version,
    string Type,
    string Data,
    string Metadata,
    DateTimeOffset RecordedAt);
