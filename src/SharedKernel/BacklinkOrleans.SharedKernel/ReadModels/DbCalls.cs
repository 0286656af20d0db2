using System.Data.Common;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// Database calls for code that runs both on a database's writer thread and elsewhere (the group commit and its
/// inline projections; ADR 0015). On a thread the database owns (<see cref="OnDatabaseThread"/>) they call the driver's
/// synchronous methods and return completed tasks, so the work never leaves the thread; elsewhere they are the driver's
/// async calls.
/// Why: an async call's completion is queued to the thread pool, and on a busy Host a group commit of ten round trips
/// waited its turn ten times behind grain work (hundreds of milliseconds a commit, with every backlink's next step
/// waiting on it). SQLite's driver is synchronous anyway; these matter for PostgreSQL's writer thread.
/// </summary>
public static class DbCalls
{
    [ThreadStatic]
    private static bool onDatabaseThread;

    /// <summary>Whether the current thread is one a database owns, where calls block instead of awaiting.</summary>
    public static bool OnDatabaseThread => onDatabaseThread;

    /// <summary>Marks the calling thread, for its lifetime, as one the database owns (its writer threads).</summary>
    public static void MarkDatabaseThread() => onDatabaseThread = true;

    public static Task<DbDataReader> RunReaderAsync(this DbCommand command, CancellationToken cancellationToken) =>
        onDatabaseThread ? Task.FromResult(command.ExecuteReader()) : command.ExecuteReaderAsync(cancellationToken);

    public static Task<DbDataReader> RunReaderAsync(this DbBatch batch, CancellationToken cancellationToken) =>
        onDatabaseThread ? Task.FromResult(batch.ExecuteReader()) : batch.ExecuteReaderAsync(cancellationToken);

    public static Task<int> RunNonQueryAsync(this DbCommand command, CancellationToken cancellationToken) =>
        onDatabaseThread ? Task.FromResult(command.ExecuteNonQuery()) : command.ExecuteNonQueryAsync(cancellationToken);

    public static Task<object?> RunScalarAsync(this DbCommand command, CancellationToken cancellationToken) =>
        onDatabaseThread ? Task.FromResult(command.ExecuteScalar()) : command.ExecuteScalarAsync(cancellationToken);

    public static Task<bool> NextRowAsync(this DbDataReader reader, CancellationToken cancellationToken) =>
        onDatabaseThread ? (reader.Read() ? True : False) : reader.ReadAsync(cancellationToken);

    public static Task<bool> NextResultSetAsync(this DbDataReader reader, CancellationToken cancellationToken) =>
        onDatabaseThread ? (reader.NextResult() ? True : False) : reader.NextResultAsync(cancellationToken);

    private static readonly Task<bool> True = Task.FromResult(true);
    private static readonly Task<bool> False = Task.FromResult(false);
}
