using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.Validation.Probing;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>Link-rot: what a backlink page shows of its link to the campaign's target, fetched over real HTTPS from the Sandbox.</summary>
public sealed class LinkObserverTests : IAsyncLifetime
{
    private const string Host = "links.publisher.example";
    private const string Target = "https://client.example/product?ref=1";
    private SandboxServer sandbox = null!;
    private LinkObserver observer = null!;

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync();
        observer = new LinkObserver(SandboxedProbe.On(sandbox));
    }

    public async Task DisposeAsync() => await sandbox.DisposeAsync();

    private Task<LinkObservation?> ObserveAsync(string path, string? target = Target) =>
        observer.CheckLinkAsync(new BacklinkSnapshot("t", "h", $"https://{Host}{path}", Host, "c",
            new CampaignSettings("c", "", ["indexnow"], 1, [TimeSpan.FromHours(1)], TimeSpan.FromDays(30), 50), null, target, 50), CancellationToken.None);

    [Fact]
    public async Task ARelativeLink_ResolvedAgainstTheBaseHref_IsFound_WithItsAnchorAndNormalizedRel()
    {
        sandbox.Site(Host).Html("/post", """
            <html><head><base href="https://client.example/"></head>
            <body><p>See <a rel="UGC  nofollow" href="product?ref=1">  the   best
            product </a></p></body></html>
            """);
        var seen = (await ObserveAsync("/post"))!;
        Assert.Equal((true, true, "the best product", "nofollow ugc"), (seen.Reachable, seen.Present, seen.Anchor, seen.Rel));
    }

    [Fact]
    public async Task WithoutABase_ARelativeLinkResolvesAgainstThePage()
    {
        // "../product?ref=1" on https://links.publisher.example/blog/post is https://links.publisher.example/product?ref=1
        sandbox.Site(Host).Html("/blog/post", "<html><body><a href=\"../product?ref=1\">here</a></body></html>");
        Assert.False((await ObserveAsync("/blog/post"))!.Present);
        Assert.True((await ObserveAsync("/blog/post", $"https://{Host}/product?ref=1"))!.Present);
    }

    [Fact]
    public async Task ALinkRemoved_IsAbsent_AndAPageGoneCarriesNoLink_WhileAnUnreadablePageTellsNothing()
    {
        sandbox.Site(Host).Article("/rewritten", "https://someone-else.example/").Status("/deleted", 410).Status("/down", 503);
        Assert.Equal((true, false), ((await ObserveAsync("/rewritten"))!.Reachable, (await ObserveAsync("/rewritten"))!.Present));
        var deleted = (await ObserveAsync("/deleted"))!;
        Assert.Equal((true, false), (deleted.Reachable, deleted.Present));
        Assert.Contains("gone", deleted.Evidence);
        Assert.False((await ObserveAsync("/down"))!.Reachable);
        Assert.Null(await ObserveAsync("/rewritten", target: null)); // no target named: nothing to look for
    }
}
