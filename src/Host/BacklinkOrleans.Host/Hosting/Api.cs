using BacklinkOrleans.Accounts;
using BacklinkOrleans.Backlinks;
using BacklinkOrleans.Reporting;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.Submission;
using BacklinkOrleans.Validation;

namespace BacklinkOrleans.Host.Hosting;

internal static class Api
{
    /// <summary>The modules and the API conventions: problem details for every error, an OpenAPI document.</summary>
    public static WebApplicationBuilder AddBacklinkApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterBusyHandler>();
        builder.Services.AddOpenApi();
        var storage = HostSettings.Storage(builder.Configuration);
        var defaultMasterKey = storage.IsCluster ? null : Path.Combine(Path.GetDirectoryName(storage.SqlitePath)!, "master.key");
        builder.Services.AddAccounts(builder.Configuration, defaultMasterKey);
        builder.Services.AddBacklinks(builder.Configuration);
        builder.Services.AddValidation(builder.Configuration);
        builder.Services.AddSubmission(builder.Configuration);
        builder.Services.AddReporting(builder.Configuration);
        if (builder.Configuration[SandboxSharing.WorldSetting] is { Length: > 0 } world)
            builder.Services.AddSharedSandboxClient(world);
        else if (builder.Configuration.GetValue<bool>("Sandbox:Enabled"))
            builder.Services.AddSandboxMode();
        return builder;
    }

    public static WebApplication MapBacklinkApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapAccountsEndpoints();
        app.MapBacklinksEndpoints();
        app.MapSubmissionEndpoints();
        app.MapReportingEndpoints();
        if (app.Configuration[SandboxSharing.WorldSetting] is { Length: > 0 })
            app.MapSharedSandboxInfo();
        else if (app.Configuration.GetValue<bool>("Sandbox:Enabled"))
            app.MapSandboxEndpoints();
        return app;
    }
}
