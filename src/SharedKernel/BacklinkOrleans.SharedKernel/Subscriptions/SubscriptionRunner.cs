using System.Collections.Concurrent;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.SharedKernel.Subscriptions;

/// <summary>Subscriptions' settings (section "Subscriptions").</summary>
public sealed class SubscriptionOptions
{
    /// <summary>How often an active subscription looks for new events.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events handled in one transaction.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Batches handled in one tick before the grain lets other work in.</summary>
    public int MaxBatchesPerTick { get; set; } = 50;
}

/// <summary>Another reader moved the checkpoint (two activations for a moment): this one's batch is rolled back.</summary>
public sealed class SubscriptionMovedException(string name) : Exception($"The checkpoint of subscription '{name}' was moved by another reader.");

/// <summary>
/// Runs checkpointed subscriptions (ADR 0021): reads the committed log after a subscription's cursor, hands each batch
/// to the modules' translators and the subscription's handlers in one transaction, and moves the cursor in that same
/// transaction only if it is still where this reader found it — a second reader's batch rolls back, so a handler's
/// writes happen once per event even in the moment a cluster has two activations of the subscription grain.
/// </summary>
public sealed partial class SubscriptionRunner(
    IEventStore store,
    IReadModelDatabase database,
    IEnumerable<ISubscriptionHandler> handlers,
    IEnumerable<IIntegrationEventSource> sources,
    TimeProvider time,
    IOptions<SubscriptionOptions> options,
    ILogger<SubscriptionRunner> logger)
{
    private readonly ILookup<string, ISubscriptionHandler> bySubscription = handlers.OrderBy(h => h.Order).ToLookup(h => h.Subscription, StringComparer.Ordinal);
    private readonly IReadOnlyList<IIntegrationEventSource> translators = [.. sources];
    private readonly ConcurrentDictionary<string, LogCursor?> checkpoints = new(StringComparer.Ordinal);

    /// <summary>The registered subscriptions.</summary>
    public IReadOnlyList<string> Names => [.. bySubscription.Select(g => g.Key).Order(StringComparer.Ordinal)];

    /// <summary>Where <paramref name="name"/> stands (the start when it has not run).</summary>
    public async Task<LogCursor> CheckpointAsync(string name, CancellationToken cancellationToken) =>
        await ReadCheckpointAsync(name, cancellationToken) ?? LogCursor.Start;

    /// <summary>Handles what is new, up to <see cref="SubscriptionOptions.MaxBatchesPerTick"/> batches; returns how many events it handled.</summary>
    public async Task<int> CatchUpAsync(string name, CancellationToken cancellationToken)
    {
        if (!bySubscription.Contains(name))
            throw new ArgumentException($"No subscription '{name}' is registered.", nameof(name));
        var handled = 0;
        for (var batch = 0; batch < options.Value.MaxBatchesPerTick; batch++)
        {
            if (!checkpoints.TryGetValue(name, out var known))
                checkpoints[name] = known = await ReadCheckpointAsync(name, cancellationToken);
            var page = await store.ReadCommittedAsync(known ?? LogCursor.Start, Math.Max(1, options.Value.BatchSize), cancellationToken);
            if (page.Events.Count == 0)
                break;
            var afterCommit = new List<Action>();
            try
            {
                await database.WriteAsync($"subscription:{name}", async (connection, transaction, ct) =>
                {
                    afterCommit.Clear();
                    var published = new List<PublishedEvent>();
                    foreach (var e in page.Events)
                        foreach (var source in translators)
                            published.AddRange(source.Translate(e));
                    var context = new SubscriptionBatch(new ProjectionBatch(connection, transaction, database.Dialect, page.Events), published,
                        known ?? LogCursor.Start, page.Next);
                    foreach (var handler in bySubscription[name])
                        await handler.HandleAsync(context, ct);
                    afterCommit.AddRange(context.AfterCommit);
                    if (!await MoveAsync(connection, transaction, name, known, page.Next, ct))
                        throw new SubscriptionMovedException(name);
                    return 0;
                }, cancellationToken);
            }
            catch (SubscriptionMovedException)
            {
                checkpoints.TryRemove(name, out _);
                LogMoved(logger, name);
                return handled;
            }
            catch
            {
                checkpoints.TryRemove(name, out _); // read it again: the transaction may or may not have committed
                throw;
            }
            checkpoints[name] = page.Next;
            handled += page.Events.Count;
            foreach (var action in afterCommit)
                action();
            if (page.Events.Count < options.Value.BatchSize)
                break;
        }
        return handled;
    }

    private Task<LogCursor?> ReadCheckpointAsync(string name, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT tx, position FROM subscription_checkpoints WHERE name = @name");
            command.With("name", name);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new LogCursor(reader.GetInt64(0), reader.GetInt64(1)) : (LogCursor?)null;
        }, cancellationToken);

    private async Task<bool> MoveAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string name,
        LogCursor? from, LogCursor to, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(from is null
            ? "INSERT INTO subscription_checkpoints (name, tx, position, updated_at) VALUES (@name, @tx, @position, @now) ON CONFLICT (name) DO NOTHING"
            : "UPDATE subscription_checkpoints SET tx = @tx, position = @position, updated_at = @now WHERE name = @name AND tx = @fromTx AND position = @fromPosition", transaction);
        command.With("name", name);
        command.With("tx", to.Transaction);
        command.With("position", to.Position);
        command.With("now", time.GetUtcNow().ToUnixTimeMilliseconds());
        if (from is { } f)
        {
            command.With("fromTx", f.Transaction);
            command.With("fromPosition", f.Position);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscription {Name}: another reader moved the checkpoint; this reader's batch was rolled back")]
    private static partial void LogMoved(ILogger logger, string name);
}
