using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Validation.Robots;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>robots.txt of an origin the outbound guard refuses is given up at once: it will not become allowed by waiting.</summary>
public sealed class RobotsFetcherTests
{
    [Theory]
    [InlineData("http://10.0.0.1:80", "private")]
    [InlineData("https://127.0.0.1:443", "loopback")]
    public async Task AnOriginTheGuardRefuses_IsRefused_NotUnreachable(string origin, string because)
    {
        var http = new ServiceCollection().AddOutboundHttp().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

        var fetch = await new RobotsFetcher(http).FetchAsync(origin, CancellationToken.None);

        Assert.Equal(RobotsFetchKind.Refused, fetch.Kind);
        Assert.Contains(because, fetch.Detail);
    }
}
