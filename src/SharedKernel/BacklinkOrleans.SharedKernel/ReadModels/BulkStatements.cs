using System.Data.Common;
using System.Text;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// Set-based writes of read models: many rows in one multi-row statement (chunked under the databases' parameter
/// limits), so a group commit of hundreds of backlinks costs a few statements, not one per row. The SQL is the same for
/// SQLite and PostgreSQL (<c>VALUES (…), (…) ON CONFLICT … DO UPDATE SET c = excluded.c</c>).
/// </summary>
public static class BulkStatements
{
    /// <summary>Parameters per statement at most (SQLite allows 32,766; PostgreSQL 65,535).</summary>
    public const int MaxParameters = 30_000;

    /// <summary>
    /// Inserts <paramref name="rows"/> into <paramref name="table"/> (one value per column, in order), with
    /// <paramref name="onConflict"/> appended (e.g. <c>ON CONFLICT (a, b) DO UPDATE SET c = excluded.c</c>, or empty).
    /// SQLite, in-process, runs one prepared single-row statement per row (no statement to parse per batch);
    /// PostgreSQL gets multi-row statements (one round trip per chunk).
    /// </summary>
    public static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, string table,
        IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, string onConflict, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return;
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        if (dialect == SqlDialect.Sqlite)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = insert + "(" + string.Join(", ", columns.Select((_, c) => $"@c{c}")) + ") " + onConflict;
            var parameters = columns.Select((_, c) => Parameter(command, $"@c{c}", null)).ToArray();
            foreach (var row in rows)
            {
                for (var c = 0; c < parameters.Length; c++)
                    parameters[c].Value = row[c] ?? DBNull.Value;
                await command.RunNonQueryAsync(cancellationToken);
            }
            return;
        }
        var perStatement = Math.Max(1, MaxParameters / columns.Count);
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(insert, 64 + count * columns.Count * 8);
            for (var r = 0; r < count; r++)
            {
                var row = rows[start + r];
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{r}_{c}";
                    sql.Append(c == 0 ? name : ", " + name);
                    Parameter(command, name, row[c]);
                }
                sql.Append(')');
            }
            if (onConflict.Length > 0)
                sql.Append(' ').Append(onConflict);
            command.CommandText = sql.ToString();
            await command.RunNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A parameter named with its prefix (drivers then bind it without searching for one).</summary>
    private static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The keys in chunks small enough for one <c>IN (…)</c> list each.</summary>
    public static IEnumerable<IReadOnlyList<T>> Chunks<T>(IReadOnlyList<T> keys, int size = 500)
    {
        for (var start = 0; start < keys.Count; start += size)
            yield return keys.Skip(start).Take(size).ToList();
    }

    /// <summary>Adds <c>@{prefix}0 … @{prefix}n</c> for <paramref name="values"/> and returns the list for an <c>IN (…)</c>.</summary>
    public static string InList<T>(DbCommand command, string prefix, IReadOnlyList<T> values)
    {
        var names = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            Parameter(command, $"@{prefix}{i}", values[i]);
            names.Append(i == 0 ? $"@{prefix}{i}" : $", @{prefix}{i}");
        }
        return names.ToString();
    }
}
