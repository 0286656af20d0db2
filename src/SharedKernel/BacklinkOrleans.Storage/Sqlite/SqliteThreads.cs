using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>
/// The threads that talk to the SQLite file. Microsoft.Data.Sqlite is synchronous (its async methods block), so no
/// thread that runs grains or requests may wait on the file: every write runs on the one writer thread (SQLite has
/// one writer anyway, so writes never contend for its lock), every read on a few reader threads (WAL lets them read
/// while the writer writes). Each thread keeps its own open connection.
/// </summary>
internal sealed class SqliteThreads : IDisposable
{
    private readonly Func<SqliteConnection> open;
    private readonly BlockingCollection<Action<Func<SqliteConnection>>> writes = new();
    private readonly BlockingCollection<Action<Func<SqliteConnection>>> reads = new();
    private readonly List<Thread> threads = [];

    public SqliteThreads(Func<SqliteConnection> open, int readers, string name)
    {
        this.open = open;
        Start(writes, $"{name} writer");
        for (var i = 0; i < Math.Max(1, readers); i++)
            Start(reads, $"{name} reader {i + 1}");
    }

    /// <summary>Runs <paramref name="work"/> on the writer thread.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => Enqueue(writes, work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a reader thread.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => Enqueue(reads, work, cancellationToken);

    private static Task<T> Enqueue<T>(BlockingCollection<Action<Func<SqliteConnection>>> queue, Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            queue.Add(connection =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    return;
                }
                try
                {
                    done.TrySetResult(work(connection()));
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                    throw; // the thread drops its connection: a failed one is opened afresh
                }
            }, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(SqliteThreads), "The SQLite database is closed.");
        }
        return done.Task;
    }

    private void Start(BlockingCollection<Action<Func<SqliteConnection>>> queue, string name)
    {
        var thread = new Thread(() => Run(queue)) { IsBackground = true, Name = name };
        threads.Add(thread);
        thread.Start();
    }

    private void Run(BlockingCollection<Action<Func<SqliteConnection>>> queue)
    {
        SqliteConnection? connection = null;
        try
        {
            foreach (var job in queue.GetConsumingEnumerable())
            {
                try
                {
                    job(() => connection ??= open());
                }
                catch (Exception)
                {
                    // the job's caller has the exception; start the next job on a fresh connection
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    public void Dispose()
    {
        writes.CompleteAdding();
        reads.CompleteAdding();
        foreach (var thread in threads)
            thread.Join(TimeSpan.FromSeconds(30));
        writes.Dispose();
        reads.Dispose();
    }
}
