using System.Security.Claims;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace BacklinkOrleans.Host.Web;

/// <summary>
/// The campaign web page (<c>/app</c>): Razor components rendered on the server, plain forms, no build step. Signing in
/// checks the API key against the API and keeps it in an encrypted, HTTP-only, same-site cookie; every page and action
/// then calls the API with it (<see cref="WebApi"/>). Actions are form posts with an antiforgery token, answered by a
/// redirect back (post/redirect/get).
/// </summary>
internal static class WebUi
{
    public const string Scheme = "web";
    public const string Policy = "web";
    public const string OperatorPolicy = "operator-web";
    public const string KeyClaim = "backlink:web-key";
    public const string TenantClaim = "backlink:web-tenant";
    public const string RoleClaim = "backlink:web-role";

    public static WebApplicationBuilder AddWebUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient(WebApi.ClientName, c => c.Timeout = TimeSpan.FromSeconds(100));
        builder.Services.AddScoped<WebApi>();
        builder.Services.AddAntiforgery();
        builder.Services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.LoginPath = "/app/signin";
            o.LogoutPath = "/app/signout";
            o.Cookie.Name = "backlink.web";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // Only the web page's own paths redirect to the sign-in form; elsewhere (the dashboard) the answer is a status.
            o.Events.OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(KeyClaim))
            // The dashboard: the operator key in the X-Api-Key header, or an operator signed in on the web page.
            .AddPolicy(OperatorPolicy, p => p.AddAuthenticationSchemes(TenantClaims.Scheme, Scheme)
                .RequireAssertion(c => c.User.HasClaim(h => h.Type == TenantClaims.OperatorClaim) || c.User.HasClaim(RoleClaim, "operator")));
        return builder;
    }

    private static Task Answer(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/app"))
            context.Response.Redirect(context.RedirectUri);
        else if (!context.Response.HasStarted) // the API key scheme may have answered already (with a problem document)
            context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapRazorComponents<App>();
        var web = app.MapGroup("/app");
        web.MapPost("/signin", SignInAsync).AllowAnonymous();
        web.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            await antiforgery.ValidateRequestAsync(context);
            await context.SignOutAsync(Scheme);
            return Results.Redirect("/app/signin");
        });
        var campaigns = web.MapGroup("/campaigns/{id}").RequireAuthorization(Policy);
        foreach (var action in new[] { "pause", "resume", "cancel" })
            campaigns.MapPost($"/{action}", (string id, HttpContext context, IAntiforgery antiforgery, WebApi api) =>
                ActAsync(context, antiforgery, () => api.PostAsync($"/api/v1/campaigns/{Uri.EscapeDataString(id)}/{action}"), $"/app/campaigns/{Uri.EscapeDataString(id)}", action));
        campaigns.MapPost("/upload", UploadAsync).DisableAntiforgery(); // validated inside, after the form is read
        campaigns.MapGet("/report.csv", async (string id, WebApi api) =>
        {
            var response = await api.GetRawAsync($"/api/v1/reports/campaigns/{Uri.EscapeDataString(id)}?format=csv");
            return response.IsSuccessStatusCode
                ? Results.Stream(await response.Content.ReadAsStreamAsync(), "text/csv; charset=utf-8", $"report-{id}.csv")
                : Results.NotFound();
        });
        campaigns.MapGet("/report.html", async (string id, WebApi api) =>
        {
            var response = await api.GetRawAsync($"/api/v1/reports/campaigns/{Uri.EscapeDataString(id)}?format=html");
            return response.IsSuccessStatusCode ? Results.Content(await response.Content.ReadAsStringAsync(), "text/html; charset=utf-8") : Results.NotFound();
        });
        var backlinks = web.MapGroup("/backlinks/{sha}").RequireAuthorization(Policy);
        foreach (var action in new[] { "retry", "retire", "check" })
            backlinks.MapPost($"/{action}", (string sha, HttpContext context, IAntiforgery antiforgery, WebApi api) =>
                ActAsync(context, antiforgery, () => api.PostAsync($"/api/v1/backlinks/{Uri.EscapeDataString(sha)}/{action}"), $"/app/backlinks/{Uri.EscapeDataString(sha)}", action));
        return app;
    }

    /// <summary>Checks the key against the API (a tenant key lists campaigns; an operator key lists tenants) and signs in.</summary>
    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, WebApi api, [FromForm] string? apiKey)
    {
        await antiforgery.ValidateRequestAsync(context);
        var key = apiKey?.Trim() ?? "";
        string? role = null;
        if (key.Length > 0)
        {
            using var client = api.Client(key);
            using var asTenant = await client.GetAsync("/api/v1/credentials");
            if (asTenant.IsSuccessStatusCode)
                role = "tenant";
            else
            {
                using var asOperator = await client.GetAsync("/api/v1/tenants");
                if (asOperator.IsSuccessStatusCode)
                    role = "operator";
            }
        }
        if (role is null)
            return Results.Redirect("/app/signin?error=key");
        var identity = new ClaimsIdentity([new Claim(KeyClaim, key), new Claim(RoleClaim, role), new Claim(TenantClaim, role)], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return Results.Redirect(role == "operator" ? "/dashboard" : "/app");
    }

    private static async Task<IResult> UploadAsync(string id, HttpContext context, IAntiforgery antiforgery, WebApi api)
    {
        await antiforgery.ValidateRequestAsync(context);
        var back = $"/app/campaigns/{Uri.EscapeDataString(id)}";
        var file = (await context.Request.ReadFormAsync(context.RequestAborted)).Files.GetFile("csv");
        if (file is null || file.Length == 0)
            return Results.Redirect($"{back}?error={Uri.EscapeDataString("Choose a CSV file to upload.")}");
        await using var stream = file.OpenReadStream();
        var (ok, message, body) = await api.PostAsync($"/api/v1/campaigns/{Uri.EscapeDataString(id)}/backlinks", WebApi.Csv(stream));
        return Results.Redirect(ok
            ? $"{back}?done={Uri.EscapeDataString($"{file.FileName}: {body?["rows"]} rows, {body?["accepted"]} accepted, {body?["duplicate"]} duplicate, {body?["rejected"]} rejected")}"
            : $"{back}?error={Uri.EscapeDataString(message)}");
    }

    private static async Task<IResult> ActAsync(HttpContext context, IAntiforgery antiforgery, Func<Task<(bool Ok, string Message, System.Text.Json.Nodes.JsonNode? Body)>> act,
        string back, string action)
    {
        await antiforgery.ValidateRequestAsync(context);
        var (ok, message, _) = await act();
        return Results.Redirect(ok ? $"{back}?done={Uri.EscapeDataString(Done(action))}" : $"{back}?error={Uri.EscapeDataString(message)}");
    }

    private static string Done(string action) => action switch
    {
        "pause" => "Paused: its backlinks take no further steps until resumed.",
        "resume" => "Resumed.",
        "cancel" => "Cancelled.",
        "retry" => "Retrying from routing.",
        "retire" => "Retired: it takes no further steps.",
        "check" => "An index check was asked for.",
        _ => "Done.",
    };
}
