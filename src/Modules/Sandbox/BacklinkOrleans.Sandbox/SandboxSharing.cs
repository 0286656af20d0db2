using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using BacklinkOrleans.Sandbox.Server;
using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Sandbox;

/// <summary>
/// What a Host needs to use a Sandbox running in another process (the <c>sandbox</c> verb), and what a test or an
/// operator needs to script it: its ports, its CA's certificate (public part), its control API and that API's key.
/// The Sandbox writes it, owner-only, when it has started, and removes it when it stops.
/// </summary>
public sealed record SandboxWorld(int HttpPort, int HttpsPort, string ControlUrl, string ControlKey, string CaCertificate)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the file whole or not at all (a reader never sees half of it).</summary>
    public void Write(string path)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        using (var writer = OwnerOnlyFile.Create(temporary, FileMode.Create))
            writer.Write(JsonSerializer.Serialize(this, Json));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The world file at <paramref name="path"/>, or null while there is none; a file that is not one is an error.</summary>
    public static SandboxWorld? TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            var world = JsonSerializer.Deserialize<SandboxWorld>(text, Json);
            if (world is { HttpPort: > 0, HttpsPort: > 0, CaCertificate.Length: > 0 })
                return world;
        }
        catch (JsonException)
        {
        }
        throw new StartupCheckException($"Sandbox:World: {path} is not a Sandbox world file (written by the sandbox verb).");
    }

    /// <summary>The CA's certificate, which clients of this world trust (and nothing else).</summary>
    public X509Certificate2 LoadCaCertificate() => X509Certificate2.CreateFromPem(CaCertificate);
}

/// <summary>
/// The Sandbox shared by several processes: the <c>sandbox</c> verb runs it alone (the simulated world, and its
/// control API under <c>/sandbox</c>), and Hosts started with <c>Sandbox:World</c> send every outbound request to it,
/// so that a cluster's Hosts and the tests see one world, one request log and one set of engine ledgers.
/// </summary>
public static partial class SandboxSharing
{
    /// <summary>The setting naming the world file: written by the <c>sandbox</c> verb, read by Hosts.</summary>
    public const string WorldSetting = "Sandbox:World";

    /// <summary>The world file's default path for the <c>sandbox</c> verb.</summary>
    public const string DefaultWorldFile = "data/sandbox-world.json";

    /// <summary>The control API's default address.</summary>
    public const string DefaultControlUrl = "http://127.0.0.1:5090";

    private const string ControlScheme = "SandboxControl";

    /// <summary>
    /// The <c>sandbox</c> verb's services: the Sandbox itself and its control API, which answers the key of the world
    /// file (<c>Sandbox:ControlKey</c>, random when not set) in <c>X-Api-Key</c>.
    /// </summary>
    public static IServiceCollection AddSandboxControl(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SandboxHost>();
        services.AddHostedService(sp => sp.GetRequiredService<SandboxHost>());
        services.AddProblemDetails();
        services.AddDataProtection().UseEphemeralDataProtectionProvider(); // nothing of it outlives the process
        var key = configuration["Sandbox:ControlKey"];
        if (string.IsNullOrWhiteSpace(key))
            key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        services.AddSingleton(new ControlKey(key));
        services.AddAuthentication(ControlScheme).AddScheme<AuthenticationSchemeOptions, ControlKeyHandler>(ControlScheme, null);
        services.AddAuthorizationBuilder().AddPolicy(TenantClaims.OperatorPolicy, p => p.RequireClaim(TenantClaims.OperatorClaim));
        return services;
    }

    /// <summary>Maps the control API and writes the world file once the Sandbox listens; removes the file on stop.</summary>
    public static WebApplication MapSandboxControl(this WebApplication app, string worldFile)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapSandboxEndpoints();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BacklinkOrleans.Sandbox");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var server = app.Services.GetRequiredService<SandboxHost>().Server;
            var world = new SandboxWorld(server.HttpPort, server.HttpsPort, app.Urls.First(), app.Services.GetRequiredService<ControlKey>().Value,
                server.RootCertificate.ExportCertificatePem());
            world.Write(worldFile); // a small file, written once at start-up (a lifetime callback is synchronous)
            LogShared(logger, world.ControlUrl, Path.GetFullPath(worldFile));
        });
        app.Lifetime.ApplicationStopping.Register(() => File.Delete(worldFile));
        return app;
    }

    /// <summary>
    /// A Host's outbound HTTP goes to the Sandbox of the world file at <paramref name="worldFile"/> (waited for up to
    /// <c>Sandbox:WorldWait</c>, 30 s by default, at start-up), naming itself by its process id in each request.
    /// </summary>
    public static IServiceCollection AddSharedSandboxClient(this IServiceCollection services, string worldFile)
    {
        services.AddSingleton(sp => new SharedSandboxConnection(worldFile,
            sp.GetRequiredService<IConfiguration>().GetValue("Sandbox:WorldWait", TimeSpan.FromSeconds(30)),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SharedSandboxConnection>>()));
        services.TryAddSingleton(TimeProvider.System);
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<SharedSandboxConnection>()));
        services.Replace(ServiceDescriptor.Singleton<IOutboundHandlerFactory>(sp => sp.GetRequiredService<SharedSandboxConnection>()));
        return services;
    }

    /// <summary>On a Host using a shared Sandbox, <c>GET /sandbox</c> says where its control API is.</summary>
    public static IEndpointRouteBuilder MapSharedSandboxInfo(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sandbox", (SharedSandboxConnection connection) => TypedResults.Ok(new { shared = true, controlUrl = connection.World.ControlUrl }))
            .RequireAuthorization(TenantClaims.OperatorPolicy).WithTags("Sandbox").WithName("SharedSandboxInfo")
            .WithSummary("This Host uses a Sandbox of its own process: script it at its control URL.");
        return app;
    }

    private sealed record ControlKey(string Value);

    private sealed class ControlKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ControlKey key)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var given = Request.Headers[TenantClaims.HeaderName].ToString();
            if (given.Length == 0)
                return Task.FromResult(AuthenticateResult.NoResult());
            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(key.Value)))
                return Task.FromResult(AuthenticateResult.Fail("not the Sandbox's control key"));
            var identity = new ClaimsIdentity([new Claim(TenantClaims.OperatorClaim, "sandbox")], ControlScheme);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ControlScheme)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SHARED SANDBOX: control API on {ControlUrl}; Hosts started with --Sandbox:World={WorldFile} send every outbound request here")]
    private static partial void LogShared(ILogger logger, string controlUrl, string worldFile);
}

/// <summary>A Host's link to a shared Sandbox: the world file, read once (waited for at start-up), and the outbound handler to it.</summary>
internal sealed partial class SharedSandboxConnection(string worldFile, TimeSpan wait, TimeProvider time, ILogger<SharedSandboxConnection> logger)
    : IHostedService, IOutboundHandlerFactory
{
    private readonly Lazy<(SandboxWorld World, X509Certificate2 Root)> loaded = new(() => Load(worldFile, wait, time));

    public SandboxWorld World => loaded.Value.World;

    public HttpMessageHandler CreateHandler() =>
        SandboxConnector.CreateHandler(World.HttpPort, World.HttpsPort, loaded.Value.Root, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogUsing(logger, Path.GetFullPath(worldFile), World.HttpPort, World.HttpsPort, World.ControlUrl);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static (SandboxWorld, X509Certificate2) Load(string path, TimeSpan wait, TimeProvider time)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            if (SandboxWorld.TryRead(path) is { } world)
                return (world, world.LoadCaCertificate());
            if (time.GetUtcNow() >= deadline)
                throw new StartupCheckException(
                    $"Sandbox:World: no Sandbox world file at {Path.GetFullPath(path)} after {wait.TotalSeconds:0} s; start the Sandbox first (BacklinkOrleans.Host sandbox --Sandbox:World={path}).");
            Thread.Sleep(200);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SANDBOX MODE (shared): every outbound request goes to the Sandbox of {WorldFile} on 127.0.0.1 (http {HttpPort}, https {HttpsPort}; control {ControlUrl}); nothing reaches real sites or search engines")]
    private static partial void LogUsing(ILogger logger, string worldFile, int httpPort, int httpsPort, string controlUrl);
}
