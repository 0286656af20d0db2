using BacklinkOrleans.Sandbox;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// The <c>sandbox</c> verb: the simulated world alone, for several Hosts and the tests to share (see
/// <see cref="SandboxSharing"/>). No silo, no database: its state lives as long as the process.
/// </summary>
internal static class SandboxVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddBacklinkLogging();
        var controlUrl = builder.Configuration["Sandbox:ControlUrl"] is { Length: > 0 } url ? url : SandboxSharing.DefaultControlUrl;
        var worldFile = builder.Configuration[SandboxSharing.WorldSetting] is { Length: > 0 } file ? file : SandboxSharing.DefaultWorldFile;
        builder.WebHost.UseUrls(controlUrl);
        builder.Services.AddSandboxControl(builder.Configuration);
        await using var app = builder.Build();
        app.MapSandboxControl(worldFile);
        await app.RunAsync();
        return 0;
    }
}
