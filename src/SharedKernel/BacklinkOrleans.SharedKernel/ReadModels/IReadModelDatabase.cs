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
    /// Runs <paramref name="read"/> in one read-only transaction, so that all its statements see one state of the
    /// database. SQLite: a deferred transaction on a reader thread, which never takes the write lock (a plain
    /// <c>BeginTransaction</c> there is <c>BEGIN IMMEDIATE</c>: a reader then queued for the write lock behind the group
    /// commit, and after 30 s of a busy writer failed with "database is locked"); PostgreSQL: REPEATABLE READ.
    /// </summary>
    Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction of its own, committed when it returns and rolled back when it
    /// throws; counted as one write transaction of <paramref name="kind"/> (see <see cref="Diagnostics.StorageWrites"/>).
    /// </summary>
    Task<T> WriteAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="write"/> as <see cref="WriteAsync{T}"/> does, on the database's writer thread (SQLite's one
    /// writer; on PostgreSQL a thread with a connection of its own), where <see cref="DbCalls"/> complete without leaving
    /// the thread; and the returned task completes there, so the caller's continuation runs on the writer thread before
    /// it takes its next job. For the event store's group commit only — the serial step every backlink's step waits on,
    /// which this keeps out of the thread pool's queue (ADR 0015): the continuation must be short and must never wait
    /// for the writer itself.
    /// </summary>
    Task<T> WriteOnWriterThreadAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write);
}
