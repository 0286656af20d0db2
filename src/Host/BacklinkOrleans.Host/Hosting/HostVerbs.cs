using BacklinkOrleans.Storage;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>The Host's verbs: <c>serve</c> (default) and <c>migrate</c>.</summary>
internal static partial class HostVerbs
{
    public const string Serve = "serve";
    public const string Migrate = "migrate";

    /// <summary>The verb (first argument not starting with '-'), or null when it is unknown.</summary>
    public static string? Parse(string[] args, out string[] hostArgs)
    {
        var first = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
        hostArgs = first is null ? args : args[1..];
        return (first ?? Serve) switch
        {
            Serve => Serve,
            Migrate => Migrate,
            _ => null,
        };
    }

    public static int Usage()
    {
        Console.Error.WriteLine("""
            usage: BacklinkOrleans.Host [serve|migrate] [--Key=Value ...]
              serve     run the silo and the HTTP API (default)
              migrate   apply database migrations for the configured profile and exit
            Configuration: appsettings.json, environment (e.g. ConnectionStrings__Postgres), or --Section:Key=Value.
            """);
        return 2;
    }

    /// <summary>Applies pending migrations (under the database's lock); false, with the reason logged, when it cannot.</summary>
    public static async Task<bool> MigrateDatabaseAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<IBacklinkDatabase>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BacklinkOrleans.Migrations");
        try
        {
            var applied = await database.MigrateAsync(logger, app.Lifetime.ApplicationStopping);
            LogMigrated(logger, database.Description, applied.Count);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMigrationFailed(logger, e, database.Description);
            return false;
        }
    }

    public static void LogStartup(this WebApplication app)
    {
        var storage = app.Services.GetRequiredService<StorageSettings>();
        var database = app.Services.GetRequiredService<IBacklinkDatabase>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BacklinkOrleans.Host");
        app.Lifetime.ApplicationStarted.Register(() =>
            LogStarted(logger, storage.ProfileName, database.Description, string.Join(", ", app.Urls)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Database} is up to date ({Applied} migrations applied now)")]
    private static partial void LogMigrated(ILogger logger, string database, int applied);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not migrate {Database}; the Host does not start")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "BacklinkOrleans is running: profile {Profile}, storage {Database}, listening on {Urls}")]
    private static partial void LogStarted(ILogger logger, string profile, string database, string urls);
}
