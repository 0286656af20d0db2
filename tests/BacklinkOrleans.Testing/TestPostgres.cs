namespace BacklinkOrleans.Testing;

/// <summary>
/// The PostgreSQL server of a test process: the one named by <c>BACKLINK_TEST_POSTGRES</c> (a connection string
/// whose user may create databases) or else one throwaway server started on first use and stopped at exit.
/// </summary>
public static class TestPostgres
{
    public const string ConnectionStringVariable = "BACKLINK_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);
    private static ThrowawayPostgres? throwaway;

    /// <summary>The server's connection string (its maintenance database).</summary>
    public static Task<string> ServerConnectionStringAsync() => Server.Value;

    /// <summary>The throwaway server, when this process started one (null when a connection string was given).</summary>
    public static ThrowawayPostgres? Throwaway => throwaway;

    /// <summary>A new, empty database on the test server.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix) =>
        await ThrowawayPostgres.CreateDatabaseAsync(await ServerConnectionStringAsync(), prefix);

    private static async Task<string> StartAsync()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(given))
            return given;
        throwaway = await ThrowawayPostgres.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => throwaway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return throwaway.ConnectionString;
    }
}
