using System.Net;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

public sealed class FirstRunTests
{
    [Fact]
    public async Task TheEmbeddedFirstStart_WritesAnOwnerOnlyKeyFile_WhoseKeysWork()
    {
        await using var temp = TempFolder.Create("backlink-firstrun-");
        var folder = temp.Path;
        await using var host = await HostProcess.StartAsync(new HostProcess.Settings(folder, null) { WithOperatorKey = false });
        var file = Path.Combine(folder, "data", "first-run-keys.txt");

        Assert.True(File.Exists(file), host.Output);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(file, host.Output); // the log says where
        var keys = File.ReadAllLines(file).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

        using var asTenant = new HttpRequestMessage(HttpMethod.Get, "/api/v1/campaigns") { Headers = { { "X-Api-Key", keys["tenant_api_key"] } } };
        using var asOperator = new HttpRequestMessage(HttpMethod.Get, "/api/v1/tenants") { Headers = { { "X-Api-Key", keys["operator_api_key"] } } };
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(asTenant)).StatusCode);
        var tenants = await (await host.Http.SendAsync(asOperator)).Content.ReadAsStringAsync();
        Assert.Contains("\"default\"", tenants);
        Assert.DoesNotContain(keys["tenant_api_key"], tenants); // secrets are never listed
    }
}
