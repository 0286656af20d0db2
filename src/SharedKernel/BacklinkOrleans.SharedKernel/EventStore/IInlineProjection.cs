using System.Data.Common;

namespace BacklinkOrleans.SharedKernel.EventStore;

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// What an inline projection sees: the events committed by one group commit, and the connection and transaction
/// they are being written in. Read models written here commit or roll back together with the events.
/// </summary>
public sealed record ProjectionBatch(
    DbConnection Connection,
    DbTransaction Transaction,
    SqlDialect Dialect,
    IReadOnlyList<StoredEvent> Events);

/// <summary>
/// A read model updated in the same transaction as the events it folds. Implementations must be deterministic
/// (a rebuild from the log must produce the same rows) and should aggregate per batch (one update per row touched).
/// </summary>
public interface IInlineProjection
{
    Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken);
}
