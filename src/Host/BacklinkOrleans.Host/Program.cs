using BacklinkOrleans.Host.Demo;
using BacklinkOrleans.Host.Diagnostics;
using BacklinkOrleans.Host.Health;
using BacklinkOrleans.Host.Hosting;
using BacklinkOrleans.Host.Web;
using BacklinkOrleans.SharedKernel.Hosting;

var verb = HostVerbs.Parse(args, out var hostArgs);
if (verb is null)
    return HostVerbs.Usage();
if (verb == HostVerbs.Sandbox)
    return await SandboxVerb.RunAsync(hostArgs);
DemoOptions? demo = null;
string? newKeyFile = null;
try
{
    if (verb == HostVerbs.Demo)
        demo = DemoOptions.Parse(ref hostArgs);
    if (verb == HostVerbs.RotateMasterKey)
        newKeyFile = RotateVerb.ParseNewKeyFile(ref hostArgs);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"{verb}: {e.Message}");
    return 2;
}

// A setting that is missing or wrong stops the Host with its name and rule, whether building the services, migrating
// or starting the silo finds it.
try
{
    // appsettings.json ships beside the binary; data/ stays relative to the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
    var clock = demo is null ? null : DemoVerb.Configure(builder, demo);
    builder.AddBacklinkLogging().AddBacklinkSilo().AddBacklinkApi().AddWebUi().AddObservability();
    if (clock is not null)
        DemoVerb.UseClock(builder.Services, clock);
    builder.Services.AddStorageProbe();

    await using var app = builder.Build();
    if (verb == HostVerbs.Migrate)
        return await app.MigrateAsync();
    if (verb == HostVerbs.Audit)
        return await AuditVerb.RunAsync(app);
    if (verb == HostVerbs.RotateMasterKey)
        return await RotateVerb.RunAsync(app, newKeyFile!);

    app.MapBacklinkApi().MapHealthEndpoints();
    app.MapWebUi().MapObservability();
    app.MapRuntimeEndpoints();
    RuntimeEndpoints.WatchFirstChanceExceptions();
    if (app.Configuration.GetValue<bool>("Diagnostics:ProbeEndpoints"))
        app.MapProbeEndpoints();
    app.LogStartup();
    if (demo is not null)
        return await DemoVerb.RunAsync(app, demo, clock!);
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"Configuration error: {string.Join(" ", e.Failures)}");
    return 1;
}
catch (StartupCheckException e)
{
    await Console.Error.WriteLineAsync($"Configuration error: {e.Message}");
    return 1;
}

/// <summary>The entry point, visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
