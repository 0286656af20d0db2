using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace BacklinkOrleans.Storage.Orleans;

/// <summary>
/// Orleans' reminder table in the embedded SQLite file: durable, so reminders outlive a restart (the in-memory
/// table is for tests only). Rows carry the grain's uniform hash so a silo reads only its ring range.
/// </summary>
public sealed class SqliteReminderTable(SqliteDatabase database, IOptions<ClusterOptions> cluster) : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_time, period_ms, etag";

    private string ServiceId => cluster.Value.ServiceId;

    public async Task<ReminderTableData> ReadRows(GrainId grainId) =>
        new(await QueryAsync($"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain",
            command => command.Parameters.AddWithValue("grain", grainId.ToString())));

    /// <summary>The reminders whose grain hash lies in the ring range (begin, end], wrapping when begin ≥ end.</summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        new(await QueryAsync(begin < end
            ? $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_hash > @begin AND grain_hash <= @end"
            : $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND (grain_hash > @begin OR grain_hash <= @end)",
            command =>
            {
                command.Parameters.AddWithValue("begin", (long)begin);
                command.Parameters.AddWithValue("end", (long)end);
            }));

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await QueryAsync($"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name",
            command =>
            {
                command.Parameters.AddWithValue("grain", grainId.ToString());
                command.Parameters.AddWithValue("name", reminderName);
            })).SingleOrDefault();

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var etag = await database.WriteAsync("reminder", async (connection, transaction, _) =>
        {
            await using var command = Command((SqliteConnection)connection, (SqliteTransaction)transaction,
                "INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, etag) "
                + "VALUES (@service, @grain, @name, @start, @period, @hash, 1) "
                + "ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET start_time = excluded.start_time, "
                + "period_ms = excluded.period_ms, grain_hash = excluded.grain_hash, etag = orleans_reminders.etag + 1 RETURNING etag");
            command.Parameters.AddWithValue("grain", entry.GrainId.ToString());
            command.Parameters.AddWithValue("name", entry.ReminderName);
            command.Parameters.AddWithValue("start", EventHashChain.ToUnixMicroseconds(new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc))));
            command.Parameters.AddWithValue("period", (long)entry.Period.TotalMilliseconds);
            command.Parameters.AddWithValue("hash", (long)entry.GrainId.GetUniformHashCode());
            return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        });
        entry.ETag = etag;
        return etag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, out var expected))
            return false;
        return await database.WriteAsync("reminder", async (connection, transaction, _) =>
        {
            await using var command = Command((SqliteConnection)connection, (SqliteTransaction)transaction,
                "DELETE FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name AND etag = @etag");
            command.Parameters.AddWithValue("grain", grainId.ToString());
            command.Parameters.AddWithValue("name", reminderName);
            command.Parameters.AddWithValue("etag", expected);
            return await command.ExecuteNonQueryAsync() == 1;
        });
    }

    public Task TestOnlyClearTable() =>
        database.WriteAsync("reminder", async (connection, transaction, _) =>
        {
            await using var command = Command((SqliteConnection)connection, (SqliteTransaction)transaction, "DELETE FROM orleans_reminders WHERE service_id = @service");
            return await command.ExecuteNonQueryAsync();
        });

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("service", ServiceId);
        return command;
    }

    private Task<List<ReminderEntry>> QueryAsync(string sql, Action<SqliteCommand> parameters) =>
        database.ReadAsync(async (connection, _) =>
        {
            await using var command = Command((SqliteConnection)connection, null, sql);
            parameters(command);
            var entries = new List<ReminderEntry>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                entries.Add(new ReminderEntry
                {
                    GrainId = GrainId.Parse(reader.GetString(0)),
                    ReminderName = reader.GetString(1),
                    StartAt = EventHashChain.FromUnixMicroseconds(reader.GetInt64(2)).UtcDateTime,
                    Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                    ETag = reader.GetInt64(4).ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
            }
            return entries;
        });
}
