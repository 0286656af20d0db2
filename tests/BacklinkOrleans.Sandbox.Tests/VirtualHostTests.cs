using System.Net;
using System.Net.Security;
using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Sandbox.Tests;

public sealed class VirtualHostTests : IAsyncLifetime
{
    private SandboxServer sandbox = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync();
        client = sandbox.CreateClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await sandbox.DisposeAsync();
    }

    [Theory]
    [InlineData("https")]
    [InlineData("http")]
    public async Task ASimulatedHost_IsReachedByName_OverHttpAndHttps(string scheme)
    {
        sandbox.Site("guest-blog.example").Article("/post", "https://client.example/");
        sandbox.Site("other-blog.example").Html("/post", "<p>another site</p>");

        var body = await client.GetStringAsync($"{scheme}://guest-blog.example/post");
        var other = await client.GetStringAsync($"{scheme}://other-blog.example/post");

        Assert.Contains("https://client.example/", body);
        Assert.Contains("another site", other);
        Assert.Equal(scheme, sandbox.Log.For("guest-blog.example", "/post").Single().Scheme);
    }

    [Fact]
    public async Task TheSandboxCa_IsTrustedOnlyByClientsConfiguredForTheSandbox()
    {
        sandbox.Site("guest-blog.example").Html("/", "ok");
        using var plain = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, sandbox.HttpsPort), ct);
                return new System.Net.Sockets.NetworkStream(socket, true);
            },
        });

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync("https://guest-blog.example/"));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(failure.InnerException);
        Assert.Equal("ok", await client.GetStringAsync("https://guest-blog.example/"));
    }

    [Fact]
    public async Task SitesAreScriptable_StatusRedirectNoindexSoft404AndFailures()
    {
        var site = sandbox.Site("publisher.example")
            .Status("/gone", 410)
            .Redirect("/old", "https://publisher.example/new")
            .NoindexHeader("/hidden")
            .NoindexMeta("/meta-hidden")
            .Soft404("/missing")
            .Robots("User-agent: *\nDisallow: /private\n")
            .FailNext(2, 503);

        var first = await client.GetAsync("https://publisher.example/robots.txt");
        var second = await client.GetAsync("https://publisher.example/robots.txt");
        var robots = await client.GetStringAsync("https://publisher.example/robots.txt");
        var gone = await client.GetAsync("https://publisher.example/gone");
        var old = await client.GetAsync("https://publisher.example/old");
        var hidden = await client.GetAsync("https://publisher.example/hidden");
        var unknown = await client.GetAsync("https://publisher.example/nothing-here");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (first.StatusCode, second.StatusCode));
        Assert.Contains("Disallow: /private", robots);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal((HttpStatusCode.MovedPermanently, "https://publisher.example/new"), (old.StatusCode, old.Headers.Location?.ToString()));
        Assert.Equal("noindex", hidden.Headers.GetValues("X-Robots-Tag").Single());
        Assert.Contains("noindex", await client.GetStringAsync("https://publisher.example/meta-hidden"));
        Assert.Contains("Page not found", await client.GetStringAsync("https://publisher.example/missing"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(9, sandbox.Log.For("publisher.example").Count);
        Assert.Equal("publisher.example", site.Host);
    }

    [Fact]
    public async Task TheRequestLog_RedactsCredentials()
    {
        sandbox.Site("api.vendor.example").Html("/v2/account", "{}");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.vendor.example/v2/account") { Headers = { { "Authorization", "vendor-secret-123" } } };
        await client.SendAsync(request);

        var logged = Assert.Single(sandbox.Log.For("api.vendor.example"));
        Assert.Equal("(redacted)", logged.Headers["Authorization"]);
    }

    [Fact]
    public async Task AnUnreachableHost_DropsTheConnection_AndASlowOneIsSlow()
    {
        sandbox.Site("down.example").Unreachable = true;
        sandbox.Site("slow.example").Html("/", "eventually").Latency = TimeSpan.FromSeconds(3);
        using var impatient = new HttpClient(sandbox.CreateHandler()) { Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://down.example/"));
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetAsync("https://slow.example/"));
    }
}
