using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage.EventStore;

/// <summary>
/// The event store algorithm shared by both databases. Appends are queued to one writer, which takes everything
/// queued since its last commit into one transaction (group commit): it reads the heads of the streams involved
/// and the event ids already stored, decides each append in order (idempotent re-append, version conflict, or
/// accept with versions and chained hashes), writes the accepted rows and heads, runs the inline projections,
/// and commits. A conflict therefore fails only its own append. A unique-key violation means another process
/// wrote the same stream meanwhile: the batch is decided again on fresh reads. Any other failure is retried
/// append by append, so one bad append cannot fail its neighbours. The transaction runs on the database's writer
/// thread (<see cref="IReadModelDatabase.WriteOnWriterThreadAsync{T}"/>: SQLite's one writer, PostgreSQL's event-store
/// writer), and the loop continues there from one commit to the next while appends are queued: no step of it waits
/// in the thread pool's queue behind grain work (ADR 0015).
/// </summary>
public abstract partial class GroupCommitEventStore : IEventStore, IAsyncDisposable
{
    private const int MaxRaceRetries = 5;

    private readonly Channel<PendingAppend> queue = Channel.CreateUnbounded<PendingAppend>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly IReadModelDatabase database;
    private readonly IReadOnlyList<IInlineProjection> projections;
    private readonly TimeProvider time;
    private readonly EventStoreOptions options;
    private readonly ILogger logger;
    private readonly Task writer;
    private readonly RecentCache<string, StreamHead> heads;
    private readonly Channel<PendingRead> currentReads = Channel.CreateUnbounded<PendingRead>();
    private readonly Task[] currentReaders;

    protected GroupCommitEventStore(IReadModelDatabase database, IEnumerable<IInlineProjection> projections,
        TimeProvider time, EventStoreOptions options, ILogger logger)
    {
        this.database = database;
        this.projections = projections.ToList();
        this.time = time;
        this.options = options;
        this.logger = logger;
        heads = new RecentCache<string, StreamHead>(options.HeadCacheSize, StringComparer.Ordinal);
        writer = Task.Run(RunWriterAsync);
        currentReaders = GroupsCurrentReads ? [.. Enumerable.Range(0, Math.Max(1, options.ReadGroupsInFlight)).Select(_ => Task.Run(RunCurrentReadsAsync))] : [];
    }

    public SqlDialect Dialect => database.Dialect;

    public EventStoreStatistics Statistics { get; } = new();

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        Validate(streamId, expectedVersion, events);
        var pending = new PendingAppend(streamId, expectedVersion, events);
        if (!queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(GetType().Name, "The event store is shut down.");
        // Once queued, an append may commit even if the caller stops waiting; a retry with the same ids is safe.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private void Validate(string streamId, long expectedVersion, IReadOnlyList<EventData> events)
    {
        if (string.IsNullOrWhiteSpace(streamId) || streamId.Length > options.MaxStreamIdLength)
            throw new ArgumentException($"A stream id must be 1-{options.MaxStreamIdLength} characters.", nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (events.Count == 0)
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        var ids = new HashSet<Guid>();
        foreach (var e in events)
        {
            if (!ids.Add(e.EventId))
                throw new ArgumentException($"Event id {e.EventId} appears twice in one append to '{streamId}'.", nameof(events));
            if (string.IsNullOrWhiteSpace(e.Type))
                throw new ArgumentException($"Event {e.EventId} in '{streamId}' has no type.", nameof(events));
            EnsureJson(e.Data, e, "data");
            EnsureJson(e.Metadata, e, "metadata");
        }
    }

    private static void EnsureJson(string json, EventData e, string field)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Event {e.EventId} ({e.Type}) has {field} that is not valid JSON: {ex.Message}", nameof(e));
        }
    }

    private async Task RunWriterAsync()
    {
        var batch = new List<PendingAppend>();
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var eventCount = 0;
            while (batch.Count < options.MaxAppendsPerCommit && eventCount < options.MaxEventsPerCommit
                   && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                eventCount += pending.Events.Count;
            }
            await CommitWithFallbackAsync(batch);
        }
    }

    private async Task CommitWithFallbackAsync(IReadOnlyList<PendingAppend> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitAsync(batch, trustRemembered: attempt == 1);
                return;
            }
            catch (Exception e) when (Forget(batch) && IsUniqueViolation(e) && attempt < MaxRaceRetries)
            {
                Statistics.RecordRetry();
                LogConcurrentWriter(logger, attempt, e.Message);
            }
            catch (Exception e) when (batch.Count > 1)
            {
                LogBatchSplit(logger, e, batch.Count);
                foreach (var single in batch)
                    await CommitWithFallbackAsync([single]);
                return;
            }
            catch (Exception e)
            {
                LogAppendFailed(logger, e, batch[0].StreamId);
                batch[0].Completion.TrySetException(e);
                return;
            }
        }
    }

    /// <summary>After a failed commit nothing of its streams is remembered: its heads and rows are read again. (Always true.)</summary>
    private bool Forget(IReadOnlyList<PendingAppend> batch)
    {
        var streams = batch.Select(p => p.StreamId).ToHashSet(StringComparer.Ordinal);
        foreach (var stream in streams)
            heads.Remove(stream);
        foreach (var cache in projections.OfType<IProjectionCache>())
            cache.Forget(streams);
        return true;
    }

    private async Task CommitAsync(IReadOnlyList<PendingAppend> batch, bool trustRemembered)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (plan, stored) = await database.WriteOnWriterThreadAsync("event-store", (connection, transaction, ct) => CommitCoreAsync(connection, transaction, batch, trustRemembered));
        foreach (var head in plan.Heads)
            heads.Set(head.StreamId, head);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Statistics.RecordCommit(batch.Count, stored.Count, plan.Outcomes.Count(o => o.Status == AppendStatus.Conflict), elapsed);
        SharedKernel.Diagnostics.Telemetry.CommitBatchSize.Record(stored.Count);
        SharedKernel.Diagnostics.Telemetry.CommitLatency.Record(elapsed.TotalMilliseconds);
        for (var i = 0; i < batch.Count; i++)
            batch[i].Completion.TrySetResult(plan.Outcomes[i]);
    }

    /// <summary>
    /// Decides and writes one batch. <paramref name="trustRemembered"/>: heads remembered from this store's own
    /// commits are used without reading them, and a stream the batch creates (expected version 0) is taken as new —
    /// an append that is not what the store remembered (another process wrote the stream, or a retried append was
    /// stored after all) fails on the unique index, and the batch is decided again on fresh reads.
    /// </summary>
    private async Task<(BatchPlan Plan, IReadOnlyList<StoredEvent> Stored)> CommitCoreAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<PendingAppend> batch, bool trustRemembered)
    {
        var remembered = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var unknown = new List<PendingAppend>(batch.Count);
        foreach (var append in batch)
        {
            if (trustRemembered && heads.TryGet(append.StreamId, out var head) && head.Version == append.ExpectedVersion)
                remembered[append.StreamId] = head;
            else if (!(trustRemembered && append.ExpectedVersion == 0 && !remembered.ContainsKey(append.StreamId)))
                unknown.Add(append);
        }
        var streamIds = unknown.Select(p => p.StreamId).Where(s => !remembered.ContainsKey(s)).Distinct(StringComparer.Ordinal).ToList();
        var eventIds = unknown.SelectMany(p => p.Events).Select(e => e.EventId).ToList();
        var loaded = streamIds.Count == 0 && eventIds.Count == 0
            ? new KnownState(new Dictionary<string, StreamHead>(), new Dictionary<Guid, (string, long)>())
            : await LoadKnownAsync(connection, transaction, streamIds, eventIds, CancellationToken.None);
        foreach (var (stream, head) in loaded.Heads)
            remembered[stream] = head;
        var known = new KnownState(remembered, loaded.StoredEventIds);

        var plan = BatchPlan.Decide(batch, known, EventHashChain.TruncateToMicroseconds(time.GetUtcNow()), options.ChainKey);
        IReadOnlyList<StoredEvent> stored = [];
        if (plan.Rows.Count > 0)
        {
            stored = await WriteAsync(connection, transaction, plan.Rows, plan.Heads, CancellationToken.None);
            var projectionBatch = new ProjectionBatch(connection, transaction, Dialect, stored);
            foreach (var projection in projections)
                await projection.ProjectAsync(projectionBatch, CancellationToken.None);
        }
        return (plan, stored);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        currentReads.Writer.TryComplete();
        // The loop ends on the database's writer thread: whoever disposes goes on elsewhere (it may stop that thread next).
        await writer.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await Task.WhenAll(currentReaders);
        GC.SuppressFinalize(this);
    }

    // ---- what each database does its own way ----

    /// <summary>The heads of <paramref name="streamIds"/> that exist, and where each of <paramref name="eventIds"/> is stored.</summary>
    protected abstract Task<KnownState> LoadKnownAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<string> streamIds, IReadOnlyList<Guid> eventIds, CancellationToken cancellationToken);

    /// <summary>Inserts the rows and upserts the heads; returns the rows as stored, with their positions.</summary>
    protected abstract Task<IReadOnlyList<StoredEvent>> WriteAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<EventRow> rows, IReadOnlyCollection<StreamHead> heads, CancellationToken cancellationToken);

    protected abstract bool IsUniqueViolation(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another writer touched the same streams; deciding the batch again (attempt {Attempt}): {Reason}")]
    private static partial void LogConcurrentWriter(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} appends failed; committing them one by one")]
    private static partial void LogBatchSplit(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Append to stream {StreamId} failed")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string streamId);
}
