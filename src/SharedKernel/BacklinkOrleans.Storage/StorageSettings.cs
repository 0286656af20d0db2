namespace BacklinkOrleans.Storage;

/// <summary>
/// Which storage profile runs: <b>cluster</b> when a PostgreSQL connection string is set, otherwise
/// <b>embedded</b> (one SQLite file under <see cref="DataDirectory"/>, nothing to install).
/// </summary>
public sealed record StorageSettings(string? PostgresConnectionString, string DataDirectory, int PostgresMaxConnections = Postgres.PostgresBudget.Default)
{
    /// <summary>The cluster profile's connection budget (see <see cref="Postgres.PostgresBudget"/>).</summary>
    public Postgres.PostgresBudget PostgresBudget => new(PostgresMaxConnections);

    public const string SqliteFileName = "backlinks.db";

    public bool IsCluster => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public string ProfileName => IsCluster ? "cluster" : "embedded";

    public string SqlitePath => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));
}
