using BacklinkOrleans.SharedKernel.Hosting;
using Npgsql;

namespace BacklinkOrleans.Storage.Postgres;

/// <summary>
/// The Host's one PostgreSQL connection budget (<c>Postgres:MaxConnections</c>), shared out between our data source
/// (event store, read models, scheduling) and Orleans' ADO.NET providers (membership, reminders, grain state), so that
/// every Host of a cluster together stays under the server's max_connections. ADR 0015.
/// </summary>
public sealed record PostgresBudget(int MaxConnections)
{
    public const int Default = 16;
    public const int Minimum = 4;

    /// <summary>Orleans' providers: a quarter, at least 2 (membership and reminders read in the background).</summary>
    public int Orleans => Math.Max(2, MaxConnections / 4);

    /// <summary>Our data source: the rest (the group-commit writer holds one while it commits).</summary>
    public int Store => MaxConnections - Orleans;

    /// <summary>The connection string Orleans' providers get: theirs is a separate pool, capped at their share.</summary>
    public string ForOrleans(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Orleans, MinPoolSize = 0 };
        PostgresDatabase.Tune(settings);
        return settings.ToString();
    }

    /// <summary>
    /// Refuses to start when the server cannot take this Host's budget at all: max_connections minus the connections
    /// reserved for superusers is smaller than it. (Other Hosts and clients share what is left; the start-up log says
    /// how many were in use.)
    /// </summary>
    public async Task<string> CheckAsync(PostgresDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int, "
            + "(SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (max, reserved, inUse) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        var usable = max - reserved;
        if (MaxConnections > usable)
            throw new StartupCheckException(
                $"PostgreSQL allows {usable} connections (max_connections {max} minus {reserved} reserved for superusers), but this Host may open "
                + $"up to {MaxConnections} (Postgres:MaxConnections). Lower Postgres:MaxConnections (at least {Minimum}; every Host of the cluster "
                + "counts) or raise max_connections on the server.");
        return $"PostgreSQL connections: this Host may open {MaxConnections} ({Store} for the store, {Orleans} for Orleans' providers); "
            + $"the server allows {usable}, {inUse} in use now";
    }
}
