using System.Collections.Concurrent;
using System.Data;
using BacklinkOrleans.SharedKernel.ReadModels;
using Npgsql;

namespace BacklinkOrleans.Storage.Postgres;

/// <summary>
/// The group commit's writer on PostgreSQL: a thread of its own holding one connection of the data source (part of
/// the Host's budget), where a commit's round trips are synchronous driver calls (<see cref="DbCalls"/>) and its
/// task completes, so the event store's loop goes on to the next commit without passing through the thread pool's
/// queue. Async round trips had each waited there behind grain work: ~10 per commit, 350–600 ms a commit at 100k
/// backlinks (ADR 0015). A connection that broke (a server restart) is dropped and the next commit opens another.
/// </summary>
internal sealed class PostgresWriterThread : IDisposable
{
    private readonly BlockingCollection<Action> jobs = new();
    private readonly NpgsqlDataSource dataSource;
    private readonly Thread thread;
    private NpgsqlConnection? connection;

    public PostgresWriterThread(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        thread = new Thread(Run) { IsBackground = true, Name = "PostgreSQL event-store writer" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread; the task completes there (its awaiter continues there).</summary>
    public Task<T> RunAsync<T>(Func<NpgsqlConnection, T> work)
    {
        var done = new TaskCompletionSource<T>(); // synchronous continuations, on purpose: see the class summary
        try
        {
            jobs.Add(() =>
            {
                T result;
                try
                {
                    result = work(connection ??= dataSource.OpenConnection());
                }
                catch (Exception e)
                {
                    if (connection is { State: not ConnectionState.Open })
                    {
                        connection.Dispose();
                        connection = null;
                    }
                    done.TrySetException(e);
                    return;
                }
                done.TrySetResult(result);
            });
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(PostgresWriterThread), "The PostgreSQL database is closed.");
        }
        return done.Task;
    }

    private void Run()
    {
        DbCalls.MarkDatabaseThread();
        foreach (var job in jobs.GetConsumingEnumerable())
            job();
        connection?.Dispose();
    }

    private int disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return; // the container holds the database under several service types, and disposes each
        jobs.CompleteAdding();
        if (Thread.CurrentThread != thread) // disposed from a job: the thread ends after it
            thread.Join();
        // The queue is not disposed: a thread still taking from it would throw, unhandled, and end the process.
    }
}
