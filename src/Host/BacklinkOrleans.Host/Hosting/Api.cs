using BacklinkOrleans.Accounts;
using BacklinkOrleans.Backlinks;

namespace BacklinkOrleans.Host.Hosting;

internal static class Api
{
    /// <summary>The modules and the API conventions: problem details for every error, an OpenAPI document.</summary>
    public static WebApplicationBuilder AddBacklinkApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddAccounts();
        builder.Services.AddBacklinks(builder.Configuration);
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
        return app;
    }
}
