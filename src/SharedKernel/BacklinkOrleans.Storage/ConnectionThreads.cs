using System.Collections.Concurrent;
using System.Data.Common;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Storage;

/// <summary>
/// Threads of the database's own, each holding an open connection, that take jobs from one queue: SQLite's writer and
/// readers (its driver is synchronous, so no grain or request thread may wait on the file) and PostgreSQL's event-store
/// writer (ADR 0015). Their <see cref="DbCalls"/> are synchronous. A job's connection is opened when first needed; a job
/// that throws gets its exception in its task, and the connection is dropped (opened afresh for the next job) unless
/// <c>keepAfterFailure</c> says it is still good.
/// </summary>
internal sealed class ConnectionThreads<TConnection> : IDisposable where TConnection : DbConnection
{
    private readonly BlockingCollection<Action<Func<TConnection>>> jobs = new();
    private readonly List<Thread> threads = [];
    private readonly Func<TConnection> open;
    private readonly Func<TConnection, bool> keepAfterFailure;
    private readonly Action? onStart;
    private readonly string closedMessage;

    /// <param name="name">the threads' name (numbered when there are several)</param>
    /// <param name="count">threads sharing the queue</param>
    /// <param name="open">opens one thread's connection</param>
    /// <param name="keepAfterFailure">whether a connection a job failed on may serve the next job</param>
    /// <param name="closedMessage">the message of the exception a job queued after disposal gets</param>
    /// <param name="onStart">runs first on each thread (e.g. its priority)</param>
    public ConnectionThreads(string name, int count, Func<TConnection> open, Func<TConnection, bool> keepAfterFailure,
        string closedMessage, Action? onStart = null)
    {
        this.open = open;
        this.keepAfterFailure = keepAfterFailure;
        this.closedMessage = closedMessage;
        this.onStart = onStart;
        for (var i = 0; i < Math.Max(1, count); i++)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = count > 1 ? $"{name} {i + 1}" : name };
            threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads. <paramref name="continueHere"/>: the task completes on that
    /// thread without leaving it, so the caller's continuation runs there (the group commit's loop; see
    /// <see cref="IReadModelDatabase.WriteOnWriterThreadAsync{T}"/>); otherwise continuations go to the thread pool.
    /// </summary>
    public Task<T> RunAsync<T>(Func<TConnection, T> work, CancellationToken cancellationToken, bool continueHere = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<T>(continueHere ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            jobs.Add(connection =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    return;
                }
                T result;
                try
                {
                    result = work(connection());
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                    throw; // the thread decides whether to keep the connection
                }
                done.TrySetResult(result);
            }, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(GetType().Name, closedMessage);
        }
        return done.Task;
    }

    private void Run()
    {
        onStart?.Invoke();
        DbCalls.MarkDatabaseThread();
        TConnection? connection = null;
        try
        {
            foreach (var job in jobs.GetConsumingEnumerable())
            {
                try
                {
                    job(() => connection ??= open());
                }
                catch (Exception)
                {
                    // the job's caller has the exception
                    if (connection is not null && !keepAfterFailure(connection))
                    {
                        connection.Dispose();
                        connection = null;
                    }
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private int disposed;

    /// <summary>
    /// Takes no more jobs and waits (up to 30 s a thread) for the queued ones to finish. Disposing twice is a no-op
    /// (the container holds a database under several service types, and disposes each); disposing from a job does not
    /// wait for that job's own thread, which ends after it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        jobs.CompleteAdding();
        foreach (var thread in threads.Where(t => t != Thread.CurrentThread))
            thread.Join(TimeSpan.FromSeconds(30));
        // The queue is not disposed: a thread still draining it (the one this runs on, or one that outlived the join)
        // would throw ObjectDisposedException on its next take, unhandled, and end the process. Completed, it holds
        // nothing; the threads end when it is empty.
    }
}
