using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Postgres;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// Applies pending migrations when the Host starts, before the silo (registered ahead of it): Orleans' ADO.NET
/// providers read their queries from the schema at start-up. Then makes sure the log's hash chains are keyed with this
/// Host's chain key (ADR 0023). A failure stops the Host with the reason logged.
/// </summary>
internal sealed partial class MigrationHostedService(IBacklinkDatabase database, StorageSettings storage, GroupCommitEventStore store,
    IConfiguration configuration, ILogger<MigrationHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.IsCluster && storage.PostgresMaxConnections < PostgresBudget.Minimum)
            throw new StartupCheckException($"Postgres:MaxConnections is {storage.PostgresMaxConnections}; a Host needs at least {PostgresBudget.Minimum}.");
        try
        {
            var applied = await database.MigrateAsync(logger, cancellationToken);
            LogMigrated(logger, database.Description, applied.Count);
            if (database is PostgresDatabase postgres)
                LogBudget(logger, await storage.PostgresBudget.CheckAsync(postgres, cancellationToken));
            if (database is Storage.Sqlite.SqliteDatabase sqlite)
                LogWriter(logger, await sqlite.WriterPriority);
            LogChain(logger, await store.EnsureChainKeyAsync(configuration.GetValue<bool>("EventStore:KeyUnkeyedLog"), cancellationToken)); // before the silo appends anything
        }
        catch (StartupCheckException)
        {
            throw; // said by the Host's exit message
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMigrationFailed(logger, e, database.Description);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Database} is up to date ({Applied} migrations applied now)")]
    private static partial void LogMigrated(ILogger logger, string database, int applied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain: {Chain}")]
    private static partial void LogChain(ILogger logger, string chain);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Budget}")]
    private static partial void LogBudget(ILogger logger, string budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Writer}")]
    private static partial void LogWriter(ILogger logger, string writer);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not migrate {Database}; the Host does not start")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string database);
}
