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

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection, $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        return new ReminderTableData(await ReadAsync(command));
    }

    /// <summary>The reminders whose grain hash lies in the ring range (begin, end], wrapping when begin ≥ end.</summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection, begin < end
            ? $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_hash > @begin AND grain_hash <= @end"
            : $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND (grain_hash > @begin OR grain_hash <= @end)");
        command.Parameters.AddWithValue("begin", (long)begin);
        command.Parameters.AddWithValue("end", (long)end);
        return new ReminderTableData(await ReadAsync(command));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection,
            $"SELECT {Columns} FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("name", reminderName);
        return (await ReadAsync(command)).SingleOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection,
            "INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, etag) "
            + "VALUES (@service, @grain, @name, @start, @period, @hash, 1) "
            + "ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET start_time = excluded.start_time, "
            + "period_ms = excluded.period_ms, grain_hash = excluded.grain_hash, etag = orleans_reminders.etag + 1 RETURNING etag");
        command.Parameters.AddWithValue("grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("name", entry.ReminderName);
        command.Parameters.AddWithValue("start", EventHashChain.ToUnixMicroseconds(new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc))));
        command.Parameters.AddWithValue("period", (long)entry.Period.TotalMilliseconds);
        command.Parameters.AddWithValue("hash", (long)entry.GrainId.GetUniformHashCode());
        var etag = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        BacklinkOrleans.SharedKernel.Diagnostics.StorageWrites.Record("reminder");
        entry.ETag = etag;
        return etag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, out var expected))
            return false;
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection,
            "DELETE FROM orleans_reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name AND etag = @etag");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("name", reminderName);
        command.Parameters.AddWithValue("etag", expected);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync();
        await using var command = Command(connection, "DELETE FROM orleans_reminders WHERE service_id = @service");
        await command.ExecuteNonQueryAsync();
    }

    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("service", ServiceId);
        return command;
    }

    private static async Task<List<ReminderEntry>> ReadAsync(SqliteCommand command)
    {
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
    }
}
