using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>Reads the run's database directly (read-only for SQLite): per-backlink times, events, write transactions.</summary>
internal sealed class BenchDatabase(string? postgres, string sqlitePath)
{
    public bool IsPostgres => postgres is not null;

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = postgres is not null
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={sqlitePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Collected → submitted of every submitted backlink, in milliseconds, sorted.</summary>
    public async Task<List<double>> SubmitLatenciesAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT updated_at - collected_at FROM backlinks WHERE state = 'submitted' ORDER BY 1";
        var result = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(reader.GetInt64(0) / 1000.0);
        return result;
    }

    public async Task<long> EventCountAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The run's events by type, most frequent first.</summary>
    public async Task<List<(string Type, long Count)>> EventsByTypeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, count(*) FROM events GROUP BY type ORDER BY 2 DESC";
        var result = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
        return result;
    }

    /// <summary>
    /// PostgreSQL's transaction counter: it grows by one for each transaction that wrote (read-only transactions take
    /// no id), whoever wrote — our stores and Orleans' ADO.NET providers alike. Null for SQLite.
    /// </summary>
    public async Task<long?> WriteTransactionIdAsync()
    {
        if (postgres is null)
            return null;
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT txid_current()";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Errors PostgreSQL logged for too many connections (from the server's log), for the throwaway server.</summary>
    public static int TooManyClients(string? serverLog) =>
        serverLog is null || !File.Exists(serverLog) ? 0 : File.ReadLines(serverLog).Count(l => l.Contains("too many clients", StringComparison.Ordinal));
}
