using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage.Migrations;

/// <summary>
/// Applies the embedded migrations that a database lacks, each in its own transaction, recording them in
/// <c>schema_migrations</c>. Subclasses hold the database-wide lock that lets several processes start at once.
/// </summary>
public abstract class MigrationRunner(IReadOnlyList<Migration> migrations, ILogger logger)
{
    public IReadOnlyList<Migration> Migrations => migrations;

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Takes the lock that serializes migrating processes; released when the returned value is disposed.</summary>
    protected abstract Task<IAsyncDisposable> LockAsync(DbConnection connection, CancellationToken cancellationToken);

    protected abstract string CreateHistoryTableSql { get; }

    /// <summary>Applies pending migrations and returns the versions applied now (empty when up to date).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var held = await LockAsync(connection, cancellationToken);
        await ExecuteAsync(connection, null, CreateHistoryTableSql, cancellationToken);

        var applied = new HashSet<int>();
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT version FROM schema_migrations";
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        var done = new List<int>();
        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)";
                AddParameter(record, "version", migration.Version);
                AddParameter(record, "name", migration.Name);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied migration {Version:0000} {Name}", migration.Version, migration.Name);
            done.Add(migration.Version);
        }
        return done;
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
