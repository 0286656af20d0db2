using System.Data.Common;
using BacklinkOrleans.SharedKernel.Diagnostics;
using BacklinkOrleans.Storage.Migrations;
using Microsoft.Data.Sqlite;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>
/// The embedded profile's database: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a commit that
/// returned survives a crash or power loss. Work runs on <see cref="SqliteThreads"/>: one writer, a few readers.
/// </summary>
public sealed class SqliteDatabase : IBacklinkDatabase, IReadModelDatabase, IDisposable
{
    private readonly Lazy<SqliteThreads> threads;

    public SqliteDatabase(string path, int readers = 2)
    {
        Path = System.IO.Path.GetFullPath(path);
        CreateOwnerOnly(Path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        threads = new Lazy<SqliteThreads>(() => new SqliteThreads(Open, readers, "SQLite", Path, WriterNice));
    }

    public string Path { get; }

    /// <summary>The Host's default writer nice value (<c>Storage:SqliteWriterNice</c>); see <see cref="Sqlite.WriterPriority"/>.</summary>
    public const int DefaultWriterNice = -10;

    /// <summary>The writer thread's nice value on Linux; 0 (tests and tools): normal priority.</summary>
    public int WriterNice { get; init; }

    /// <summary>The writer thread's priority once it has started, for the start-up log.</summary>
    public Task<string> WriterPriority => threads.Value.WriterPriority;

    /// <summary>
    /// A new data folder (0700) and database file (0600) are the owner's only: SQLite gives its WAL and shared-memory
    /// files the database file's permissions, so the events and the encrypted credentials are not readable by other
    /// local users. An existing file keeps the permissions it has.
    /// </summary>
    private static void CreateOwnerOnly(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (OperatingSystem.IsWindows())
        {
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            return;
        }
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path))
            return;
        try
        {
            // An empty file is an empty SQLite database.
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // created meanwhile by another process of this data folder
        }
    }

    public string ConnectionString { get; }

    /// <summary>The durability settings every connection runs under (printed by the benchmark).</summary>
    public const string DurabilitySettings = "journal_mode=WAL, synchronous=FULL";

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; "
        + "PRAGMA journal_size_limit=67108864;";

    /// <summary>A connection of the caller's own (migrations, tools, tests); the Host's work goes through the threads.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = Pragmas;
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// A connection of one of the threads, with a page cache sized for its work: SQLite's default of 2 MB makes a large
    /// database read its index pages from the file again and again (the writer's commits slow as the log grows).
    /// </summary>
    private SqliteConnection Open(bool writer)
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // The writer leaves checkpoints to the checkpointer thread (see SqliteThreads).
        pragmas.CommandText = Pragmas + (writer ? " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=0;" : " PRAGMA cache_size=-16384;");
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Module assemblies whose embedded migrations are applied with Storage's own.</summary>
    public IReadOnlyList<System.Reflection.Assembly> ModuleAssemblies { get; init; } = [];

    public SqlDialect Dialect => SqlDialect.Sqlite;

    /// <summary>Runs on a reader thread; the work's async calls complete synchronously there (the driver is synchronous).</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default) =>
        threads.Value.ReadAsync(connection => read(connection, cancellationToken).GetAwaiter().GetResult(), cancellationToken);

    /// <summary>Runs on a reader thread, in a deferred transaction: one snapshot of the log, never the write lock.</summary>
    public Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default) =>
        threads.Value.ReadAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            var result = read(connection, transaction, cancellationToken).GetAwaiter().GetResult();
            transaction.Commit();
            return result;
        }, cancellationToken);

    /// <summary>Runs on the writer thread, in an immediate transaction (the write lock is taken up front).</summary>
    public Task<T> WriteAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken = default) =>
        threads.Value.WriteAsync(connection => Transact(connection, kind, write, cancellationToken), cancellationToken);

    public Task<T> WriteOnWriterThreadAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write) =>
        threads.Value.WriteAsync(connection => Transact(connection, kind, write, CancellationToken.None), CancellationToken.None, continueOnWriter: true);

    private static T Transact<T>(SqliteConnection connection, string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write,
        CancellationToken cancellationToken)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = write(connection, transaction, cancellationToken).GetAwaiter().GetResult();
        transaction.Commit();
        StorageWrites.Record(kind);
        return result;
    }

    public MigrationRunner CreateMigrationRunner(ILogger logger) => new SqliteMigrationRunner(this, logger);

    public string Description => $"SQLite {Path}";

    public Task<IReadOnlyList<int>> MigrateAsync(ILogger logger, CancellationToken cancellationToken = default) =>
        CreateMigrationRunner(logger).MigrateAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM schema_migrations";
            return await command.ExecuteScalarAsync(ct);
        }, cancellationToken);

    /// <summary>
    /// Stops the threads and closes this file's pooled connections (only this file's: clearing every pool of the
    /// process races other databases' connections being opened), so the file is released and a later open starts anew.
    /// </summary>
    public void Dispose()
    {
        if (threads.IsValueCreated)
            threads.Value.Dispose();
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    private sealed class SqliteMigrationRunner(SqliteDatabase database, ILogger logger)
        : MigrationRunner(Migration.For("Sqlite", database.ModuleAssemblies), logger)
    {
        protected override string CreateHistoryTableSql =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            + "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";

        protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            await database.OpenAsync(cancellationToken);

        protected override async Task<IAsyncDisposable> LockAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            // SQLite has no session lock that outlives a transaction: a lock file serializes migrating processes.
            var lockPath = database.Path + ".migrate.lock";
            var deadline = Environment.TickCount64 + 60_000;
            while (true)
            {
                try
                {
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
    }
}
