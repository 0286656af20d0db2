using System.Data.Common;
using BacklinkOrleans.Storage.Migrations;
using Microsoft.Data.Sqlite;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>
/// The embedded profile's database: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a commit that
/// returned survives a crash or power loss.
/// </summary>
public sealed class SqliteDatabase : IBacklinkDatabase, IReadModelDatabase
{
    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>The durability settings every connection runs under (printed by the benchmark).</summary>
    public const string DurabilitySettings = "journal_mode=WAL, synchronous=FULL";

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Module assemblies whose embedded migrations are applied with Storage's own.</summary>
    public IReadOnlyList<System.Reflection.Assembly> ModuleAssemblies { get; init; } = [];

    public SqlDialect Dialect => SqlDialect.Sqlite;

    async Task<DbConnection> IReadModelDatabase.OpenAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken);

    public MigrationRunner CreateMigrationRunner(ILogger logger) => new SqliteMigrationRunner(this, logger);

    public string Description => $"SQLite {Path}";

    public Task<IReadOnlyList<int>> MigrateAsync(ILogger logger, CancellationToken cancellationToken = default) =>
        CreateMigrationRunner(logger).MigrateAsync(cancellationToken);

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM schema_migrations";
        await command.ExecuteScalarAsync(cancellationToken);
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
