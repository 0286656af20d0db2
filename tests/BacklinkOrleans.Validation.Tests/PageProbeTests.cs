using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Validation.Probing;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>The page probe against simulated publishers, over real HTTP(S).</summary>
public sealed class PageProbeTests : IAsyncLifetime
{
    private const string Host = "publisher.example";
    private SandboxServer sandbox = null!;
    private PageProbe probe = null!;

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync();
        probe = SandboxedProbe.On(sandbox);
    }

    public async Task DisposeAsync() => await sandbox.DisposeAsync();

    private Task<ProbeResult> ProbeAsync(string path, string? target = null) => probe.ProbeAsync($"https://{Host}{path}", target, CancellationToken.None);

    [Theory]
    [InlineData("/missing", FailureReasons.HttpNotFound)]
    [InlineData("/gone", FailureReasons.HttpNotFound)]
    [InlineData("/meta", FailureReasons.Noindex)]
    [InlineData("/header", FailureReasons.Noindex)]
    [InlineData("/prefixed-header", FailureReasons.Noindex)]
    [InlineData("/googlebot-meta", FailureReasons.Noindex)]
    [InlineData("/soft", FailureReasons.Soft404)]
    [InlineData("/offsite", FailureReasons.RedirectOffHost)]
    [InlineData("/to-metadata", FailureReasons.RedirectOffHost)]
    [InlineData("/r1", FailureReasons.HttpError)] // six redirects
    [InlineData("/server-error", FailureReasons.HttpError)]
    public async Task FailingPages_FailWithTheirReason(string path, string reason)
    {
        sandbox.Site(Host).Status("/gone", 410).NoindexMeta("/meta").NoindexHeader("/header")
            .Page("/prefixed-header", new SimulatedPage(200, "<html></html>", Headers: new Dictionary<string, string> { ["X-Robots-Tag"] = "googlebot: noindex, nofollow" }))
            .Html("/googlebot-meta", "<html><head><meta name=\"googlebot\" content=\"NOINDEX\"></head></html>")
            .Soft404("/soft")
            .Redirect("/offsite", "https://elsewhere.example/")
            .Redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
            .Redirect("/r1", "/r2").Redirect("/r2", "/r3").Redirect("/r3", "/r4").Redirect("/r4", "/r5").Redirect("/r5", "/r6").Redirect("/r6", "/r7").Article("/r7")
            .Status("/server-error", 503);

        var result = await ProbeAsync(path);

        Assert.Equal((false, reason), (result.Verdict!.Passed, result.Verdict.Reason));
        Assert.DoesNotContain(sandbox.Log.All, r => r.Host is "169.254.169.254" or "elsewhere.example");
    }

    [Fact]
    public async Task ARedirectChainOnTheHost_IsFollowed_AndTheFinalPageJudged()
    {
        sandbox.Site(Host).Redirect("/old", "/older", 301).Redirect("/older", "https://publisher.example/new", 308).Article("/new");
        var result = await ProbeAsync("/old");
        Assert.True(result.Verdict!.Passed, result.Evidence);
        Assert.Contains("/new", result.Evidence);
    }

    [Fact]
    public async Task AServerErrorBurst_IsRetried_AndThePagePasses()
    {
        sandbox.Site(Host).Article("/flaky").FailNext(2, 502);
        var result = await ProbeAsync("/flaky");
        Assert.True(result.Verdict!.Passed, result.Evidence);
        Assert.Equal(3, sandbox.Log.For(Host, "/flaky").Count);
    }

    [Fact]
    public async Task AGzipBomb_IsReadOnlyUpToTheCap()
    {
        sandbox.Site(Host).Page("/bomb", new SimulatedPage(200, "<html><body>" + new string('a', 20 * 1024 * 1024), Gzip: true));
        var result = await ProbeAsync("/bomb");
        Assert.True(result.Verdict!.Passed);
        Assert.Contains("body capped", result.Evidence);
    }

    [Theory]
    [InlineData("/links", true, "links to the target")]
    [InlineData("/nofollow", true, "nofollow")]
    [InlineData("/nolink", false, null)]
    public async Task TheTargetLink_IsChecked(string path, bool passes, string? note)
    {
        sandbox.Site(Host).Article("/links", "https://client.example/product?ref=1")
            .Html("/nofollow", "<html><body><a rel=\"nofollow sponsored\" href=\"HTTPS://Client.example:443/product?ref=1\">x</a></body></html>")
            .Article("/nolink", "https://someone-else.example/");

        var result = await ProbeAsync(path, "https://client.example/product?ref=1");

        Assert.Equal(passes, result.Verdict!.Passed);
        if (passes)
            Assert.Contains(note!, result.Evidence);
        else
            Assert.Equal(FailureReasons.LinkMissing, result.Verdict.Reason);
    }
}
