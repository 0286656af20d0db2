using BacklinkOrleans.Storage;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>The Host's verbs: <c>serve</c> (default), <c>demo</c>, <c>sandbox</c>, <c>migrate</c>, <c>audit verify</c> and <c>rotate-master-key</c>.</summary>
internal static partial class HostVerbs
{
    public const string Serve = "serve";
    public const string Migrate = "migrate";
    public const string Audit = "audit";
    public const string Demo = "demo";
    public const string RotateMasterKey = "rotate-master-key";
    public const string Sandbox = "sandbox";

    /// <summary>The verb (first argument not starting with '-'), or null when it is unknown.</summary>
    public static string? Parse(string[] args, out string[] hostArgs)
    {
        var first = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
        hostArgs = first is null ? args : args[1..];
        if (first == Audit)
        {
            var verify = hostArgs.Length > 0 && hostArgs[0] == "verify";
            hostArgs = verify ? hostArgs[1..] : hostArgs;
            return verify ? Audit : null;
        }
        return (first ?? Serve) switch
        {
            Serve => Serve,
            Migrate => Migrate,
            Demo => Demo,
            RotateMasterKey => RotateMasterKey,
            Sandbox => Sandbox,
            _ => null,
        };
    }

    public static int Usage()
    {
        Console.Error.WriteLine("""
            usage: BacklinkOrleans.Host [serve|demo|sandbox|migrate|audit verify|rotate-master-key] [--Key=Value ...]
              serve          run the silo and the HTTP API (default)
              demo           play a sample campaign end to end in a fresh folder with the Sandbox, on an accelerated clock,
                             then serve its web page until Ctrl+C (--speed N: simulated seconds per second, default 7200;
                             --port N, default 5080; --exit: stop after the report; --folder DIR)
              sandbox        run only the simulated world, shared by several Hosts (each started with --Sandbox:World=FILE):
                             its control API on --Sandbox:ControlUrl (default http://127.0.0.1:5090), its world file
                             (ports, CA certificate, control key) at --Sandbox:World (default data/sandbox-world.json)
              migrate        apply database migrations for the configured profile and exit
              audit verify   replay every stream and report violations (exit 0: clean, 3: violations found)
              rotate-master-key --new-key-file PATH
                             with every Host stopped: encrypt the credential key ring under a new master key and rehash
                             the event log's chains under its chain key, in one transaction (the file is created with a
                             random key when missing; the embedded default data/master.key is replaced by it)
            Configuration: appsettings.json, environment (e.g. ConnectionStrings__Postgres), or --Section:Key=Value.
            """);
        return 2;
    }

    /// <summary>The <c>migrate</c> verb: applies pending migrations and returns the exit code (0, or 1 with the reason logged; a failed start-up check is said by Program).</summary>
    public static async Task<int> MigrateAsync(this WebApplication app)
    {
        try
        {
            await ActivatorUtilities.CreateInstance<MigrationHostedService>(app.Services).StartAsync(app.Lifetime.ApplicationStopping);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException and not BacklinkOrleans.SharedKernel.Hosting.StartupCheckException)
        {
            return 1; // logged by the migration service
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

    [LoggerMessage(Level = LogLevel.Information, Message = "BacklinkOrleans is running: profile {Profile}, storage {Database}, listening on {Urls}")]
    private static partial void LogStarted(ILogger logger, string profile, string database, string urls);
}
