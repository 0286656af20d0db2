using System.Data.Common;
using System.Text;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// Set-based writes and key look-ups of read models, so a group commit of hundreds of backlinks costs a few statements,
/// not one per row: on PostgreSQL one statement of column arrays per table, on SQLite (in-process) one prepared statement
/// reused per row. The conflict clause is the same for both (<c>ON CONFLICT … DO UPDATE SET c = excluded.c</c>).
/// </summary>
public static class BulkStatements
{
    /// <summary>
    /// Inserts <paramref name="rows"/> into <paramref name="table"/> (one value per column, in order), with
    /// <paramref name="onConflict"/> appended (e.g. <c>ON CONFLICT (a, b) DO UPDATE SET c = excluded.c</c>, or empty).
    /// SQLite, in-process, runs one prepared single-row statement per row (no statement to parse per batch);
    /// PostgreSQL gets one statement whose columns are arrays (<see cref="InsertFromArraysAsync"/>).
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
        await InsertFromArraysAsync(connection, transaction, table, columns, rows, onConflict, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: one statement, each column sent as one typed array and spread by <c>unnest</c>. A multi-row
    /// <c>VALUES</c> list of 2,000 rows is 30,000 parameters the server parses and plans on every commit (the backlinks
    /// upsert cost 61 µs a row at 100k backlinks); arrays are four or fifteen parameters, whatever the row count.
    /// A column that is null in every row is written as <c>NULL</c> (an array of nothing but nulls has no type).
    /// </summary>
    private static async Task InsertFromArraysAsync(DbConnection connection, DbTransaction? transaction, string table,
        IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, string onConflict, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var select = new List<string>(columns.Count);
        var spread = new List<string>();
        for (var c = 0; c < columns.Count; c++)
        {
            if (ColumnArray(rows, c) is not { } values)
            {
                select.Add("NULL");
                continue;
            }
            Parameter(command, $"@a{c}", values);
            spread.Add($"@a{c}");
            select.Add($"x.c{c}");
        }
        var names = string.Join(", ", columns.Select((_, c) => $"c{c}").Where((_, c) => select[c] != "NULL"));
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {string.Join(", ", select)} "
            + $"FROM unnest({string.Join(", ", spread)}) AS x({names})" + (onConflict.Length > 0 ? " " + onConflict : "");
        await command.RunNonQueryAsync(cancellationToken);
    }

    /// <summary>Column <paramref name="c"/> of every row as an array of its values' type, or null when every value is null.</summary>
    private static Array? ColumnArray(IReadOnlyList<object?[]> rows, int c)
    {
        var sample = rows.Select(r => r[c]).FirstOrDefault(v => v is not null);
        return sample switch
        {
            null => null,
            string => rows.Select(r => (string?)r[c]).ToArray(),
            long or int => rows.Select(r => r[c] is { } v ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : (long?)null).ToArray(),
            bool => rows.Select(r => (bool?)r[c]).ToArray(),
            double => rows.Select(r => (double?)r[c]).ToArray(),
            byte[] => rows.Select(r => (byte[]?)r[c]).ToArray(),
            _ => throw new ArgumentException($"Column {c} holds {sample.GetType().Name}, which a bulk insert does not send."),
        };
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

    /// <summary>
    /// The <c>FROM</c> clause (on SQLite with its <c>WHERE</c>) that yields one tenant's rows of <paramref name="table"/>
    /// (keyed by <c>tenant_id, url_hash</c>) with the given hashes, as <paramref name="alias"/>; the command must also
    /// bind <c>@tenant</c>. PostgreSQL probes the key once per hash (a lateral subquery over <c>unnest</c>, which the
    /// planner cannot turn into a range scan): with an <c>IN</c> list, a table that had grown since its last ANALYZE —
    /// during a first import — was read whole through the tenant prefix of an index, the planner taking
    /// "tenant_id = …" to match 0.5 % of the rows (200 ms a look-up at 100k backlinks, 40 s of the server's time in one
    /// import). SQLite: an <c>IN</c> list on the primary key.
    /// </summary>
    public static string TenantRowsByHash(DbCommand command, SqlDialect dialect, string table, string alias, IReadOnlyList<string> hashes)
    {
        if (dialect == SqlDialect.Postgres)
        {
            Parameter(command, "@hashes", hashes.ToArray());
            return $"FROM unnest(@hashes) AS probe(url_hash) CROSS JOIN LATERAL (SELECT * FROM {table} t "
                + $"WHERE t.tenant_id = @tenant AND t.url_hash = probe.url_hash OFFSET 0) AS {alias}";
        }
        return $"FROM {table} AS {alias} WHERE {alias}.tenant_id = @tenant AND {alias}.url_hash IN ({InList(command, "h", hashes)})";
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
