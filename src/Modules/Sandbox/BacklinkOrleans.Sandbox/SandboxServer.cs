using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Security;
using System.Text;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Sandbox.Engines;
using BacklinkOrleans.Sandbox.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Sandbox;

/// <summary>
/// The outside world, simulated: one Kestrel server on 127.0.0.1 (an HTTP and an HTTPS port) that serves many
/// virtual hosts by their Host header — publishers' sites and the search engines' APIs. Clients reach it through
/// <see cref="CreateHandler"/>, which connects every host name to it and trusts only its own CA; nothing else on
/// the machine is redirected or trusts it.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private const int MaxBodyBytes = 32 * 1024 * 1024;
    private readonly ConcurrentDictionary<string, SimulatedSite> sites = new(StringComparer.OrdinalIgnoreCase);
    private readonly SandboxCertificateAuthority authority = new();
    private readonly TimeProvider time;
    private WebApplication? app;
    private HttpClient? selfClient;
    private IndexNowEngine? indexNow;
    private GoogleEngine? google;
    private SerpEngine? serp;
    private VendorEngine? vendor;

    private SandboxServer(TimeProvider time) => this.time = time;

    public int HttpPort { get; private set; }

    public int HttpsPort { get; private set; }

    public RequestLog Log { get; private init; } = new();

    public IndexNowSimulation IndexNow { get; } = new();

    public GoogleSimulation Google { get; } = new();

    /// <summary>The simulated search index: what engines accepted becomes indexed after a while; the checkers read it.</summary>
    public SearchIndex Index { get; } = new();

    public SerpSimulation Serp { get; } = new();

    public VendorSimulation Vendor { get; } = new();

    /// <summary>The simulated site on <paramref name="host"/> (created empty on first use).</summary>
    public SimulatedSite Site(string host) => sites.GetOrAdd(host.ToLowerInvariant().TrimEnd('.'), h => new SimulatedSite(h));

    /// <summary>Starts the server on free loopback ports. <paramref name="time"/> is the application's clock (quota days, log times).</summary>
    public static async Task<SandboxServer> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default,
        int requestLogCapacity = RequestLog.DefaultCapacity)
    {
        var server = new SandboxServer(time ?? TimeProvider.System) { Log = new RequestLog(requestLogCapacity) };
        await server.StartCoreAsync(cancellationToken);
        return server;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // Its content root is the binaries' folder, not the working directory (which holds the database): a
        // configuration file watcher there would wake on every write.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = authority.ContextFor(string.IsNullOrEmpty(context.ClientHelloInfo.ServerName) ? "localhost" : context.ClientHelloInfo.ServerName),
                }),
            }));
        });
        app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);

        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
        {
            var uri = new Uri(address);
            if (uri.Scheme == "https")
                HttpsPort = uri.Port;
            else
                HttpPort = uri.Port;
        }
        selfClient = new HttpClient(CreateHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
        indexNow = new IndexNowEngine(IndexNow, time, FetchAsync);
        google = new GoogleEngine(Google, time);
        serp = new SerpEngine(Serp, Index, time);
        vendor = new VendorEngine(Vendor, Index, PageState, time);
        IndexNow.Index = Index;
        Google.Index = Index;
    }

    /// <summary>
    /// A handler for clients configured for the Sandbox: every host name connects to the Sandbox, and only the
    /// Sandbox's CA is trusted (see <see cref="SandboxConnector"/>).
    /// </summary>
    public HttpMessageHandler CreateHandler() => SandboxConnector.CreateHandler(HttpPort, HttpsPort, authority.Root);

    /// <summary>The Sandbox CA's certificate (public part only), which clients in other processes trust.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 RootCertificate => authority.Root;

    /// <summary>A client configured for the Sandbox (see <see cref="CreateHandler"/>).</summary>
    public HttpClient CreateClient() => new(CreateHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };

    private async Task<(int Status, string Body)> FetchAsync(Uri uri)
    {
        try
        {
            using var response = await selfClient!.GetAsync(uri);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var host = context.Request.Host.Host.ToLowerInvariant().TrimEnd('.');
        var body = await ReadBodyAsync(context.Request);
        if (IndexNowSimulation.Endpoints.Contains(host))
            await indexNow!.HandleAsync(context, body);
        else if (host is GoogleSimulation.TokenHost or GoogleSimulation.IndexingHost or GoogleSimulation.SearchConsoleHost)
            await google!.HandleAsync(context, host, body);
        else if (host == SerpSimulation.Host)
            await serp!.HandleAsync(context, body);
        else if (host == VendorSimulation.Host)
            await vendor!.HandleAsync(context, body);
        else if (!await ServeSiteAsync(context, host))
            return; // connection dropped: nothing to record as answered
        Log.Add(new RecordedRequest(time.GetUtcNow(), context.Request.Scheme, host, context.Request.Method,
            context.Request.Path + context.Request.QueryString, body, context.Response.StatusCode,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
    }

    /// <summary>What a URL's page shows a vendor's crawler: 0 (a page to index), −1 (noindex), or its HTTP status when not 200.</summary>
    private int PageState(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return 400;
        var page = Site(uri.Host).Peek(uri.AbsolutePath);
        if (page.Status != 200)
            return page.Status;
        var noindex = (page.Headers?.Any(h => h.Key.Equals("X-Robots-Tag", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("noindex", StringComparison.OrdinalIgnoreCase)) ?? false)
            || (page.Body?.Contains("content=\"noindex", StringComparison.OrdinalIgnoreCase) ?? false);
        return noindex ? -1 : 0;
    }

    private async Task<bool> ServeSiteAsync(HttpContext context, string host)
    {
        var site = Site(host);
        if (site.Unreachable)
        {
            Log.Add(new RecordedRequest(time.GetUtcNow(), context.Request.Scheme, host, context.Request.Method,
                context.Request.Path + context.Request.QueryString, null, 0, new Dictionary<string, string>()));
            context.Abort();
            return false;
        }
        var page = site.Answer(context.Request.Path.Value ?? "/");
        var delay = site.Latency + page.Delay;
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, context.RequestAborted);
        context.Response.StatusCode = page.Status;
        context.Response.ContentType = page.ContentType;
        foreach (var (name, value) in page.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        var bytes = Encoding.UTF8.GetBytes(page.Body ?? "");
        if (page.Gzip)
        {
            using var compressed = new MemoryStream();
            await using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
                await gzip.WriteAsync(bytes);
            bytes = compressed.ToArray();
            context.Response.Headers.ContentEncoding = "gzip";
        }
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(bytes);
        return true;
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            return null;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        selfClient?.Dispose();
        if (app is not null)
            await app.DisposeAsync();
        authority.Dispose();
    }
}
