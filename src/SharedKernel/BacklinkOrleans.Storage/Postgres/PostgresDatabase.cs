using System.Data.Common;
using BacklinkOrleans.SharedKernel.Diagnostics;
using BacklinkOrleans.Storage.Migrations;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BacklinkOrleans.Storage.Postgres;

/// <summary>
/// The cluster profile's database: one PostgreSQL data source for the event store, the read models and the
/// migrations, its pool capped by the Host's connection budget (<see cref="PostgresBudget"/>).
/// </summary>
public sealed class PostgresDatabase : IBacklinkDatabase, IReadModelDatabase, IAsyncDisposable
{
    /// <summary>Advisory-lock key that serializes migrations across silos ("BLOR").</summary>
    public const long MigrationLockKey = 0x424C_4F52;

    /// <param name="maxConnections">this data source's share of the Host's budget; null: the connection string's own pool size</param>
    public PostgresDatabase(string connectionString, int? maxConnections = null)
    {
        ConnectionString = connectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (maxConnections is { } max)
        {
            builder.ConnectionStringBuilder.MaxPoolSize = max;
            builder.ConnectionStringBuilder.MinPoolSize = Math.Min(builder.ConnectionStringBuilder.MinPoolSize, max);
        }
        Tune(builder.ConnectionStringBuilder);
        MaxConnections = builder.ConnectionStringBuilder.MaxPoolSize;
        DataSource = builder.Build();
        writer = new Lazy<ConnectionThreads<NpgsqlConnection>>(() => new ConnectionThreads<NpgsqlConnection>("PostgreSQL event-store writer", 1,
            () => DataSource.OpenConnection(), connection => connection.State == System.Data.ConnectionState.Open, "The PostgreSQL database is closed."));
    }

    /// <summary>
    /// The group commit's writer: a thread of its own holding one connection of the data source (part of the Host's
    /// budget), where a commit's round trips are synchronous driver calls (<see cref="DbCalls"/>) and its task completes,
    /// so the event store's loop goes on to the next commit without passing through the thread pool's queue. Async
    /// round trips had each waited there behind grain work: ~10 per commit, 350–600 ms a commit at 100k backlinks
    /// (ADR 0015). A connection that broke (a server restart) is dropped and the next commit opens another.
    /// </summary>
    private readonly Lazy<ConnectionThreads<NpgsqlConnection>> writer;

    public string ConnectionString { get; }

    /// <summary>
    /// Round trips saved on every use of a pooled connection, unless the connection string says otherwise: no
    /// <c>DISCARD ALL</c> when a connection goes back to the pool (we keep no session state: the migration lock is
    /// released explicitly), and the statements used most (a stream's read, the appends) prepared once per connection.
    /// Measured with the end-to-end benchmark: half of PostgreSQL's statements were DISCARD ALL (ADR 0015).
    /// </summary>
    public static void Tune(NpgsqlConnectionStringBuilder settings)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = settings.ConnectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
            settings.NoResetOnClose = true;
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
            settings.MaxAutoPrepare = 32;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>How many connections this data source opens at most.</summary>
    public int MaxConnections { get; }

    /// <summary>The server's durability settings, as the benchmark prints them.</summary>
    public async Task<string> DescribeDurabilityAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') "
            + "|| ', wal_sync_method=' || current_setting('wal_sync_method') || ', server ' || current_setting('server_version')",
            connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Module assemblies whose embedded migrations are applied with Storage's own.</summary>
    public IReadOnlyList<System.Reflection.Assembly> ModuleAssemblies { get; init; } = [];

    public SqlDialect Dialect => SqlDialect.Postgres;

    public async Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }

    public async Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var result = await read(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<T> WriteAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await write(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        StorageWrites.Record(kind);
        return result;
    }

    public Task<T> WriteOnWriterThreadAsync<T>(string kind, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> write) =>
        writer.Value.RunAsync(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var result = write(connection, transaction, CancellationToken.None).GetAwaiter().GetResult();
            transaction.Commit();
            StorageWrites.Record(kind);
            return result;
        }, CancellationToken.None, continueHere: true);

    public MigrationRunner CreateMigrationRunner(ILogger logger) => new PostgresMigrationRunner(this, logger);

    public string Description
    {
        get
        {
            var b = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
        }
    }

    public Task<IReadOnlyList<int>> MigrateAsync(ILogger logger, CancellationToken cancellationToken = default) =>
        CreateMigrationRunner(logger).MigrateAsync(cancellationToken);

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        if (writer.IsValueCreated)
            writer.Value.Dispose();
        return DataSource.DisposeAsync();
    }

    private sealed class PostgresMigrationRunner(PostgresDatabase database, ILogger logger)
        : MigrationRunner(Migration.For("Postgres", database.ModuleAssemblies), logger)
    {
        protected override string CreateHistoryTableSql =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
            + "applied_at timestamptz NOT NULL DEFAULT now())";

        protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            await database.DataSource.OpenConnectionAsync(cancellationToken);

        protected override async Task<IAsyncDisposable> LockAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", (NpgsqlConnection)connection))
            {
                command.Parameters.AddWithValue("key", MigrationLockKey);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return new AdvisoryLock((NpgsqlConnection)connection);
        }

        private sealed class AdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", MigrationLockKey);
                await command.ExecuteNonQueryAsync();
            }
        }
    }
}
