using System.Data.Common;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// The database that holds the event log and the read models. Modules query their own tables through it; SQL they
/// share between dialects uses @names, ON CONFLICT and integer times. Work is handed in as a function so each profile
/// runs it where it belongs: PostgreSQL on a pooled connection within the Host's connection budget; SQLite, whose
/// driver is synchronous, on dedicated threads that own their connections (reads on reader threads, every write on
/// the one writer thread), never on a thread that runs grains.
/// </summary>
public interface IReadModelDatabase
{
    SqlDialect Dialect { get; }

    /// <summary>Runs <paramref name="read"/> on a connection of the database.</summary>
    Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction of its own, committed when it returns and rolled back when it
    /// throws; counted as one write transaction of <paramref name="kind"/> (see <see cref="Diagnostics.StorageWrites"/>).
    /// </summary>
    Task<T> WriteAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken = default);
}
