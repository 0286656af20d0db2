using System.Globalization;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Runtime;

namespace BacklinkOrleans.Host.Demo;

/// <summary>The demo's settings: how fast simulated time runs, the HTTP port, whether to stop after the report.</summary>
internal sealed record DemoOptions(double Speed, int Port, bool ExitAfterReport, string Folder)
{
    public const double DefaultSpeed = 7200; // two simulated hours per second: the script's ~50 h in under half a minute

    /// <summary>Takes the demo's own arguments (<c>--speed N</c>, <c>--port N</c>, <c>--exit</c>, <c>--folder DIR</c>) out of <paramref name="args"/>.</summary>
    public static DemoOptions Parse(ref string[] arguments)
    {
        var args = arguments;
        var rest = new List<string>();
        double speed = DefaultSpeed;
        int port = 5080;
        var exit = false;
        string? folder = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            string Next() => value ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value."));
            switch (name)
            {
                case "--speed":
                    speed = double.TryParse(Next(), CultureInfo.InvariantCulture, out var s) && s >= 1 ? s : throw new ArgumentException("--speed must be a number of at least 1 (simulated seconds per real second).");
                    break;
                case "--port":
                    port = int.TryParse(Next(), CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw new ArgumentException("--port must be a TCP port.");
                    break;
                case "--exit":
                    exit = true;
                    break;
                case "--folder":
                    folder = Next();
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        arguments = [.. rest];
        return new DemoOptions(speed, port, exit, Path.GetFullPath(folder ?? Path.Combine(Path.GetTempPath(), $"backlink-demo-{TimeProvider.System.GetUtcNow():yyyyMMdd-HHmmss}-{Environment.ProcessId}")));
    }
}

/// <summary>
/// The <c>demo</c> verb: the embedded profile in a fresh folder, the Sandbox on, simulated time accelerated, and the seed's
/// worked example (<see cref="DemoScript"/>) played through the real HTTP API, with live progress, then the report and
/// the web page's address. Nothing leaves the machine.
/// </summary>
internal static class DemoVerb
{
    /// <summary>Settings and the clock of the demo, before the modules are registered (they read settings as they register).</summary>
    public static AcceleratedClock Configure(WebApplicationBuilder builder, DemoOptions options)
    {
        Directory.CreateDirectory(options.Folder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(options.Folder, "data"),
            ["ConnectionStrings:Postgres"] = "",
            ["Sandbox:Enabled"] = "true",
            ["Urls"] = $"http://127.0.0.1:{options.Port}",
            ["Reminders:MinimumPeriod"] = "00:00:01",
            ["Backlinks:SweepPeriod"] = "00:00:01",
            ["Accounts:OperatorKey"] = "",
            ["Logging:LogLevel:Default"] = "Error",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Microsoft"] = "Error",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Error",
            ["Logging:LogLevel:Polly"] = "Error",
        });
        return new AcceleratedClock(options.Speed, TimeProvider.System.GetUtcNow());
    }

    private static readonly TimeSpan MaxPlacementTimeout = TimeSpan.FromDays(1); // SiloMessagingOptions' validation

    /// <summary>
    /// The domain runs on the accelerated clock (grains, their timers, our services, the Sandbox); Orleans' background
    /// machinery, reminders and the wire (HTTP timeouts and retries) stay on real time, and the limits Orleans times
    /// on the domain's clock are stretched to last as long in real time.
    /// </summary>
    public static void UseClock(IServiceCollection services, AcceleratedClock clock)
    {
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        services.AddKeyedSingleton<TimeProvider>(KeyedService.AnyKey, TimeProvider.System);
        services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, clock);
        services.AddKeyedSingleton<TimeProvider>(WireClock.Key, TimeProvider.System);
        // Orleans' placement pipeline times out on the container's clock: its 30 s were 10 ms real, and grain calls
        // failed whenever the machine was busy. Stretched as far as Orleans allows (1 day: 12 real seconds at 7200×).
        services.PostConfigure<SiloMessagingOptions>(o => o.PlacementTimeout = Min(clock.FromReal(o.PlacementTimeout), MaxPlacementTimeout));
        // An activation's deactivation is timed on the grains' clock against MaxRequestProcessingTime (2 h): unscaled, a
        // deactivation longer than 1 real second was declared stuck and abandoned, and on a busy machine calls to such a
        // backlink failed placement from then on (CI: ten URLs never got their index check). Stretched, it keeps its
        // real 2 h (the long-request check, on a real stopwatch, is then in effect off in the demo).
        services.PostConfigure<SiloMessagingOptions>(o => o.MaxRequestProcessingTime = clock.FromReal(o.MaxRequestProcessingTime));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public static async Task<int> RunAsync(WebApplication app, DemoOptions options, AcceleratedClock clock)
    {
        await app.StartAsync();
        var runner = new DemoRunner(app, options, clock);
        var outcome = await runner.PlayAsync(app.Lifetime.ApplicationStopping);
        if (!options.ExitAfterReport && outcome == 0)
        {
            runner.PrintWhereToLook();
            await app.WaitForShutdownAsync();
        }
        else
            await app.StopAsync();
        return outcome;
    }
}
