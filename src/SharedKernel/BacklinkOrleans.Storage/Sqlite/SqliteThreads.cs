using Microsoft.Data.Sqlite;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>
/// The threads that talk to the SQLite file. Microsoft.Data.Sqlite is synchronous (its async methods block), so no
/// thread that runs grains or requests may wait on the file: every write runs on the one writer thread (SQLite has
/// one writer anyway, so writes never contend for its lock), every read on a few reader threads (WAL lets them read
/// while the writer writes). Each thread keeps its own open connection (<see cref="ConnectionThreads{TConnection}"/>);
/// a checkpointer thread copies the write-ahead log into the file.
/// </summary>
internal sealed class SqliteThreads : IDisposable
{
    private readonly Func<bool, SqliteConnection> open;
    private readonly ConnectionThreads<SqliteConnection> writer;
    private readonly ConnectionThreads<SqliteConnection> readers;
    private readonly Thread checkpointer;
    private readonly CancellationTokenSource stopping = new();

    private readonly string walPath;

    private readonly TaskCompletionSource<string> writerPriority = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="open">opens a connection; its argument says whether it is the writer's</param>
    /// <param name="databasePath">the database file (its write-ahead log is beside it)</param>
    /// <param name="writerNice">the writer thread's nice value on Linux (0: normal priority; see <see cref="Sqlite.WriterPriority"/>)</param>
    public SqliteThreads(Func<bool, SqliteConnection> open, int readers, string name, string databasePath, int writerNice = 0)
    {
        this.open = open;
        walPath = databasePath + "-wal";
        const string closed = "The SQLite database is closed.";
        // A failed job's connection is dropped: the next job opens one afresh.
        writer = new ConnectionThreads<SqliteConnection>($"{name} writer", 1, () => open(true), _ => false, closed,
            onStart: () => writerPriority.TrySetResult(Sqlite.WriterPriority.Raise(writerNice)));
        this.readers = new ConnectionThreads<SqliteConnection>($"{name} reader", readers, () => open(false), _ => false, closed);
        checkpointer = new Thread(Checkpoint) { IsBackground = true, Name = $"{name} checkpointer" };
        checkpointer.Start();
    }

    /// <summary>How often the write-ahead log is copied into the database file, away from the writer.</summary>
    public static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(1);

    /// <summary>The write-ahead log's size at which the writer restarts it (after the checkpointer copied it into the database).</summary>
    public const long RestartLogAt = 64L * 1024 * 1024;

    /// <summary>
    /// Copies the write-ahead log into the database file every second on a connection of its own (PASSIVE: it never
    /// waits for the writer or readers), so the writer's commits never stop to copy pages (its connection has
    /// automatic checkpoints off). A log that keeps growing slows every read (each looks up its pages in the log's
    /// index) and every commit: once it passes <see cref="RestartLogAt"/>, the writer thread itself, between two
    /// commits, runs a RESTART checkpoint — little is left to copy by then — and its next commit starts the log over.
    /// </summary>
    private void Checkpoint()
    {
        SqliteConnection? connection = null;
        while (!stopping.Token.WaitHandle.WaitOne(CheckpointEvery))
        {
            try
            {
                connection ??= open(false);
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                command.ExecuteNonQuery();
                if (File.Exists(walPath) && new FileInfo(walPath).Length > RestartLogAt)
                    _ = WriteAsync(RestartLog, CancellationToken.None);
            }
            catch (Exception e) when (e is SqliteException or IOException or ObjectDisposedException)
            {
                connection?.Dispose(); // tried again in a second
                connection = null;
            }
        }
        if (connection is not null)
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)"; // the log's pages are all in the file at rest
                try
                {
                    command.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // the next start checkpoints it
                }
            }
            connection.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer thread. <paramref name="continueOnWriter"/>: the task completes on the
    /// writer thread, whose caller's continuation then runs there (the group commit's loop; see
    /// <see cref="SharedKernel.ReadModels.IReadModelDatabase.WriteOnWriterThreadAsync{T}"/>).
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken, bool continueOnWriter = false) =>
        writer.RunAsync(work, cancellationToken, continueOnWriter);

    /// <summary>Runs <paramref name="work"/> on a reader thread.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => readers.RunAsync(work, cancellationToken);

    /// <summary>The writer thread's priority once it has started, as the start-up log says it.</summary>
    public Task<string> WriterPriority => writerPriority.Task;

    private static int RestartLog(SqliteConnection writer)
    {
        using var command = writer.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(RESTART)";
        command.ExecuteNonQuery();
        return 0;
    }

    private int disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return; // the container may hold the database under several service types
        writer.Dispose();
        readers.Dispose();
        stopping.Cancel();
        if (checkpointer != Thread.CurrentThread)
            checkpointer.Join(TimeSpan.FromSeconds(30));
        // The token is not disposed: the checkpointer, if it outlived the join, still waits on it.
    }
}
