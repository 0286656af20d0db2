namespace BacklinkOrleans.Storage;

/// <summary>
/// Which storage profile runs: <b>cluster</b> when a PostgreSQL connection string is set, otherwise
/// <b>embedded</b> (one SQLite file under <see cref="DataDirectory"/>, nothing to install).
/// </summary>
/// <param name="SqliteWriterNice">the embedded profile's writer thread's nice value on Linux (0: normal; ADR 0015)</param>
public sealed record StorageSettings(string? PostgresConnectionString, string DataDirectory, int PostgresMaxConnections = Postgres.PostgresBudget.Default,
    int SqliteWriterNice = 0)
{
    /// <summary>The cluster profile's connection budget (see <see cref="Postgres.PostgresBudget"/>).</summary>
    public Postgres.PostgresBudget PostgresBudget => new(PostgresMaxConnections);

    public const string SqliteFileName = "backlinks.db";

    public bool IsCluster => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public string ProfileName => IsCluster ? "cluster" : "embedded";

    public string SqlitePath => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));
}
