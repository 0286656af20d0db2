using System.Data.Common;
using System.Text;

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
    /// </summary>
    public static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, string table, IReadOnlyList<string> columns,
        IReadOnlyList<object?[]> rows, string onConflict, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return;
        var perStatement = Math.Max(1, MaxParameters / columns.Count);
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ", 64 + count * columns.Count * 8);
            for (var r = 0; r < count; r++)
            {
                var row = rows[start + r];
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{r}_{c}";
                    sql.Append(c == 0 ? name : ", " + name);
                    command.With(name[1..], row[c]);
                }
                sql.Append(')');
            }
            if (onConflict.Length > 0)
                sql.Append(' ').Append(onConflict);
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
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
            command.With($"{prefix}{i}", values[i]);
            names.Append(i == 0 ? $"@{prefix}{i}" : $", @{prefix}{i}");
        }
        return names.ToString();
    }
}
