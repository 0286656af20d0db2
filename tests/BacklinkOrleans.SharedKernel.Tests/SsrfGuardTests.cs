using System.Net;
using System.Net.Sockets;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.SharedKernel.Tests;

/// <summary>
/// The production outbound stack refuses every address a user could use to reach our own network. Each refusal
/// happens before a connection is made: these tests never send traffic anywhere.
/// </summary>
public sealed class SsrfGuardTests
{
    /// <summary>Answers from a table, as a hostile DNS server might.</summary>
    private sealed class TableResolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(host switch
        {
            "internal.example" => new[] { IPAddress.Parse("10.1.2.3") },
            "metadata.example" => [IPAddress.Parse("169.254.169.254")],
            "mixed.example" => [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.1.10")],
            "mapped.example" => [IPAddress.Parse("::ffff:10.0.0.1")],
            _ => [],
        });
    }

    private static HttpClient ProductionClient()
    {
        var services = new ServiceCollection().AddOutboundHttp();
        services.Replace(ServiceDescriptor.Singleton<IHostResolver, TableResolver>());
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(OutboundHttp.ClientName);
    }

    [Theory]
    [InlineData("http://127.0.0.1/", "loopback")]
    [InlineData("http://0x7f.1/", "loopback")]
    [InlineData("http://2130706433/", "loopback")]
    [InlineData("http://017700000001/", "loopback")]
    [InlineData("http://127.1/", "loopback")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://10.0.0.1/", "private")]
    [InlineData("http://172.16.5.4/", "private")]
    [InlineData("http://192.168.1.1/", "private")]
    [InlineData("http://100.64.0.1/", "carrier-grade NAT")]
    [InlineData("http://0.0.0.0/", "this network")]
    [InlineData("http://224.0.0.1/", "multicast")]
    [InlineData("http://255.255.255.255/", "reserved")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://[fd12:3456::1]/", "unique local")]
    [InlineData("http://[64:ff9b::a00:1]/", "private")]
    [InlineData("http://[2002:7f00:1::]/", "loopback")]
    [InlineData("http://internal.example/", "10.1.2.3")]
    [InlineData("http://metadata.example/", "169.254.169.254")]
    [InlineData("http://mixed.example/", "192.168.1.10")]
    [InlineData("http://mapped.example/", "private")]
    [InlineData("https://unresolvable.example/", "does not resolve")]
    [InlineData("http://93.184.216.34:8080/", "port 8080 is not allowed")]
    [InlineData("http://93.184.216.34:22/", "port 22 is not allowed")]
    public async Task IsRefused_BeforeAnyConnection(string url, string because)
    {
        using var client = ProductionClient();
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url));
        var refused = Assert.IsType<OutboundRefusedException>(failure.InnerException);
        Assert.Contains(because, refused.Message);
    }

    [Fact]
    public async Task AConfiguredPortList_ReplacesTheDefault()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outbound:AllowedPorts:0"] = "443" }).Build();
        var services = new ServiceCollection().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration).AddOutboundHttp();
        services.Replace(ServiceDescriptor.Singleton<IHostResolver, TableResolver>());
        using var client = services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(OutboundHttp.ClientName);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://93.184.216.34/"));

        Assert.Contains("port 80 is not allowed (allowed: 443)", failure.InnerException!.Message);
    }

    [Fact]
    public async Task AConfiguredProxy_IsNeverUsed()
    {
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy($"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}");
        try
        {
            using var client = ProductionClient();
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://10.0.0.1/"));
            Assert.IsType<OutboundRefusedException>(failure.InnerException);
            Assert.False(proxy.Pending(), "the request went to the proxy");
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
        }
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    public void PublicAddresses_AreAllowed(string address) =>
        Assert.True(AddressPolicy.IsPublic(IPAddress.Parse(address), out var reason), reason);
}
