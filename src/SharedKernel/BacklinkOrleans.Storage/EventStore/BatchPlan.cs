using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.EventStore;

/// <summary>An append waiting for the writer.</summary>
internal sealed class PendingAppend(string streamId, long expectedVersion, IReadOnlyList<EventData> events)
{
    public string StreamId { get; } = streamId;
    public long ExpectedVersion { get; } = expectedVersion;
    public IReadOnlyList<EventData> Events { get; } = events;
    public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The stored version and hash-chain head of a stream, and the version of its latest snapshot event if any.</summary>
public sealed record StreamHead(string StreamId, long Version, byte[] HeadHash, long? SnapshotVersion = null);

/// <summary>An event ready to insert (position not yet known) with its chained hash.</summary>
public sealed record EventRow(StoredEvent Event, byte[] Hash);

/// <summary>What the database already holds of a batch's streams and event ids.</summary>
public sealed record KnownState(
    IReadOnlyDictionary<string, StreamHead> Heads,
    IReadOnlyDictionary<Guid, (string StreamId, long Version)> StoredEventIds);

/// <summary>The pure decision for one group commit: each append's outcome, the rows and heads to write.</summary>
internal sealed class BatchPlan
{
    public List<AppendResult> Outcomes { get; } = [];
    public List<EventRow> Rows { get; } = [];
    public List<StreamHead> Heads => heads.Values.ToList();

    private readonly Dictionary<string, StreamHead> heads = new(StringComparer.Ordinal);

    public static BatchPlan Decide(IReadOnlyList<PendingAppend> batch, KnownState known, DateTimeOffset recordedAt, EventChainKey? chainKey = null)
    {
        var plan = new BatchPlan();
        var current = new Dictionary<string, StreamHead>(known.Heads, StringComparer.Ordinal);
        var placed = new Dictionary<Guid, (string StreamId, long Version)>(known.StoredEventIds);
        foreach (var append in batch)
            plan.Outcomes.Add(plan.Decide(append, current, placed, recordedAt, chainKey));
        return plan;
    }

    private AppendResult Decide(PendingAppend append, Dictionary<string, StreamHead> current,
        Dictionary<Guid, (string StreamId, long Version)> placed, DateTimeOffset recordedAt, EventChainKey? chainKey)
    {
        var head = current.GetValueOrDefault(append.StreamId) ?? new StreamHead(append.StreamId, 0, EventHashChain.Genesis);

        var alreadyPlaced = append.Events.Where(e => placed.ContainsKey(e.EventId)).ToList();
        if (alreadyPlaced.Count > 0)
        {
            var elsewhere = alreadyPlaced.FirstOrDefault(e => placed[e.EventId].StreamId != append.StreamId);
            if (elsewhere is not null)
                return new AppendResult(AppendStatus.Conflict, head.Version,
                    $"event id {elsewhere.EventId} is already stored in stream '{placed[elsewhere.EventId].StreamId}'");
            if (alreadyPlaced.Count == append.Events.Count)
                return new AppendResult(AppendStatus.AlreadyAppended, head.Version);
            return new AppendResult(AppendStatus.Conflict, head.Version,
                $"{alreadyPlaced.Count} of {append.Events.Count} event ids are already stored in '{append.StreamId}'");
        }

        if (head.Version != append.ExpectedVersion)
            return new AppendResult(AppendStatus.Conflict, head.Version,
                $"stream '{append.StreamId}' is at version {head.Version}, not the expected {append.ExpectedVersion}");

        var version = head.Version;
        var previous = head.HeadHash;
        var snapshot = head.SnapshotVersion;
        foreach (var e in append.Events)
        {
            version++;
            if (e.IsSnapshot)
                snapshot = version;
            var stored = new StoredEvent(0, e.EventId, append.StreamId, version, e.Type, e.Data, e.Metadata, recordedAt);
            var hash = EventHashChain.Compute(chainKey, previous, stored);
            Rows.Add(new EventRow(stored, hash));
            placed[e.EventId] = (append.StreamId, version);
            previous = hash;
        }
        var newHead = new StreamHead(append.StreamId, version, previous, snapshot);
        current[append.StreamId] = newHead;
        heads[append.StreamId] = newHead;
        return new AppendResult(AppendStatus.Appended, version);
    }
}
