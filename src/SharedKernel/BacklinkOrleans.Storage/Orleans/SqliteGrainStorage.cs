using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace BacklinkOrleans.Storage.Orleans;

/// <summary>
/// Orleans grain storage in the embedded SQLite file. Each write is conditional on the ETag read before it, so a
/// duplicate activation (possible while membership is unstable) cannot overwrite a newer state: it gets an
/// <see cref="InconsistentStateException"/> and Orleans deactivates it.
/// </summary>
public sealed class SqliteGrainStorage(
    string name,
    SqliteDatabase database,
    IGrainStorageSerializer serializer,
    IActivatorProvider activators,
    IOptions<ClusterOptions> cluster,
    TimeProvider time) : IGrainStorage
{
    private string ServiceId => cluster.Value.ServiceId;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ReadAsync(async (connection, _) =>
        {
            await using var command = Command((SqliteConnection)connection, null,
                "SELECT etag, payload FROM orleans_grain_state WHERE service_id = @service AND grain_id = @grain AND state_name = @state",
                grainId, stateName);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                grainState.ETag = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
                grainState.State = serializer.Deserialize<T>(new BinaryData(reader.GetFieldValue<byte[]>(1)));
                grainState.RecordExists = true;
            }
            else
            {
                grainState.ETag = null;
                grainState.State = activators.GetActivator<T>().Create();
                grainState.RecordExists = false;
            }
            return true;
        });

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var (newETag, stored) = await database.WriteAsync("grain-state", async (connection, transaction, _) =>
        {
            await using var command = Command((SqliteConnection)connection, (SqliteTransaction)transaction, grainState.ETag is null
                ? "INSERT INTO orleans_grain_state (service_id, grain_id, state_name, etag, payload, modified_at) "
                  + "VALUES (@service, @grain, @state, 1, @payload, @now) ON CONFLICT DO NOTHING RETURNING etag"
                : "UPDATE orleans_grain_state SET etag = etag + 1, payload = @payload, modified_at = @now "
                  + "WHERE service_id = @service AND grain_id = @grain AND state_name = @state AND etag = @etag RETURNING etag",
                grainId, stateName);
            command.Parameters.AddWithValue("payload", payload);
            command.Parameters.AddWithValue("now", EventHashChain.ToUnixMicroseconds(time.GetUtcNow()));
            if (grainState.ETag is not null)
                command.Parameters.AddWithValue("etag", long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture));
            return await command.ExecuteScalarAsync() is { } written
                ? (Convert.ToString(written, System.Globalization.CultureInfo.InvariantCulture), (string?)null)
                : (null, await StoredETagAsync((SqliteConnection)connection, (SqliteTransaction)transaction, stateName, grainId));
        });
        if (stored is not null)
            throw Conflict("write", stateName, grainId, grainState.ETag, stored);
        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is not null)
        {
            var stored = await database.WriteAsync("grain-state", async (connection, transaction, _) =>
            {
                await using var command = Command((SqliteConnection)connection, (SqliteTransaction)transaction,
                    "DELETE FROM orleans_grain_state WHERE service_id = @service AND grain_id = @grain AND state_name = @state AND etag = @etag",
                    grainId, stateName);
                command.Parameters.AddWithValue("etag", long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture));
                return await command.ExecuteNonQueryAsync() == 0 ? await StoredETagAsync((SqliteConnection)connection, (SqliteTransaction)transaction, stateName, grainId) : null;
            });
            if (stored is not null)
                throw Conflict("clear", stateName, grainId, grainState.ETag, stored);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = activators.GetActivator<T>().Create();
    }

    /// <summary>The stored ETag, "(none)" when there is no row: what a refused write or clear found.</summary>
    private async Task<string> StoredETagAsync(SqliteConnection connection, SqliteTransaction transaction, string stateName, GrainId grainId)
    {
        await using var command = Command(connection, transaction,
            "SELECT etag FROM orleans_grain_state WHERE service_id = @service AND grain_id = @grain AND state_name = @state",
            grainId, stateName);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "(none)";
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? expected, string stored) =>
        new($"Grain storage '{name}': {operation} of state '{stateName}' of {grainId} expected ETag {expected ?? "(none)"} but the stored ETag is {stored}",
            stored, expected ?? "(none)");

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, GrainId grainId, string stateName)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("state", stateName);
        return command;
    }
}
