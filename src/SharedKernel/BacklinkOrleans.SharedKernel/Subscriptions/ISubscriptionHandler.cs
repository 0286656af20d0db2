using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;

namespace BacklinkOrleans.SharedKernel.Subscriptions;

/// <summary>
/// One batch of a subscription: the events, the connection and transaction the handlers write in (the checkpoint
/// moves in the same transaction), and the integration events published so far for these events, in order.
/// </summary>
public sealed class SubscriptionBatch(ProjectionBatch batch, List<PublishedEvent> published, LogCursor from, LogCursor next)
{
    /// <summary>Where the checkpoint stood before this batch (a handler's memory of the last batch is good only if this is where that one ended).</summary>
    public LogCursor From { get; } = from;

    /// <summary>Where the checkpoint stands once this batch commits.</summary>
    public LogCursor Next { get; } = next;

    public ProjectionBatch Database { get; } = batch;

    public IReadOnlyList<StoredEvent> Events => Database.Events;

    /// <summary>Integration events of this batch: the modules' translations first, then what earlier handlers added.</summary>
    public List<PublishedEvent> Published { get; } = published;

    /// <summary>What to do once the batch's transaction has committed (metrics: counted once per event, not per attempt).</summary>
    public List<Action> AfterCommit { get; } = [];
}

/// <summary>
/// A handler of a checkpointed subscription to the whole log (ADR 0021). Delivery is at least once: a batch whose
/// transaction failed is handed again, so a handler must be idempotent — writing in the batch's transaction makes it
/// so for database effects. Handlers of one subscription run in <see cref="Order"/>.
/// </summary>
public interface ISubscriptionHandler
{
    /// <summary>The subscription (checkpoint name) this handler belongs to.</summary>
    string Subscription { get; }

    int Order { get; }

    Task HandleAsync(SubscriptionBatch batch, CancellationToken cancellationToken);
}
