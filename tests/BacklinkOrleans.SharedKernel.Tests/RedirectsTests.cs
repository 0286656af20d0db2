using System.Net;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.SharedKernel.Tests;

/// <summary>The one redirect follower of untrusted fetches: bounded, http(s) only, optionally same-host, and guarded on every hop.</summary>
public sealed class RedirectsTests
{
    private readonly List<Uri> requested = [];

    /// <summary>
    /// Answers redirects and pages of *.example from a table; every other URL goes through the production outbound
    /// client, whose guard refuses inward addresses before connecting.
    /// </summary>
    private Func<Uri, CancellationToken, Task<HttpResponseMessage?>> World(params (string From, string To)[] redirects)
    {
        var table = redirects.ToDictionary(r => r.From, r => r.To);
        var guarded = new ServiceCollection().AddOutboundHttp().BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(OutboundHttp.ClientName);
        return async (url, cancellationToken) =>
        {
            requested.Add(url);
            if (table.TryGetValue(url.ToString(), out var to))
                return new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri(to, UriKind.RelativeOrAbsolute) } };
            if (url.Host.EndsWith(".example", StringComparison.Ordinal))
                return new HttpResponseMessage(HttpStatusCode.OK);
            return await guarded.GetAsync(url, cancellationToken);
        };
    }

    [Theory]
    [InlineData("http://10.0.0.1/admin", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[::1]/", "loopback")]
    public async Task ARedirectToAnInwardAddress_IsRefusedOnThatHop_BeforeAnyConnection(string inward, string because)
    {
        using var fetch = await Redirects.FollowAsync(new Uri("https://publisher.example/post"),
            World(("https://publisher.example/post", "/moved"), ("https://publisher.example/moved", inward)), sameHostOnly: false, CancellationToken.None);

        Assert.Equal(RedirectEnd.Refused, fetch.End);
        Assert.Contains(because, fetch.Refusal);
        Assert.Equal(new Uri(inward), fetch.Url);
        Assert.Equal(2, fetch.Redirects);
    }

    [Fact]
    public async Task FiveRedirects_AreFollowed_ASixthIsTooMany()
    {
        var chain = Enumerable.Range(1, 6).Select(i => ($"https://publisher.example/r{i}", $"/r{i + 1}")).ToArray();

        using var five = await Redirects.FollowAsync(new Uri("https://publisher.example/r2"), World(chain), sameHostOnly: true, CancellationToken.None);
        requested.Clear();
        using var six = await Redirects.FollowAsync(new Uri("https://publisher.example/r1"), World(chain), sameHostOnly: true, CancellationToken.None);

        Assert.Equal((RedirectEnd.Answered, "/r7", HttpStatusCode.OK), (five.End, five.Url.AbsolutePath, five.Response!.StatusCode));
        Assert.Equal(RedirectEnd.TooMany, six.End);
        Assert.Equal(6, requested.Count); // the seventh URL is never requested
        Assert.Contains("more than 5", six.Why);
    }

    [Theory]
    [InlineData("ftp://publisher.example/file", true, RedirectEnd.NotHttp)]
    [InlineData("file:///etc/passwd", false, RedirectEnd.NotHttp)]
    [InlineData("https://elsewhere.example/", true, RedirectEnd.OffHost)]
    [InlineData("https://elsewhere.example/", false, RedirectEnd.Answered)]
    public async Task ARedirectToAnotherSchemeOrHost_EndsWhereThePolicySays(string target, bool sameHostOnly, RedirectEnd end)
    {
        using var fetch = await Redirects.FollowAsync(new Uri("https://publisher.example/a"), World(("https://publisher.example/a", target)), sameHostOnly,
            CancellationToken.None);

        Assert.Equal(end, fetch.End);
        Assert.Equal(new Uri(target), fetch.Url);
        Assert.Equal(end == RedirectEnd.Answered ? 2 : 1, requested.Count);
    }
}
