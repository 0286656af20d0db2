using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.IndexNow;
using static BacklinkOrleans.Submission.Tests.Channels.Routing;

namespace BacklinkOrleans.Submission.Tests.Channels;

/// <summary>Every coverage rule of protocols.md for IndexNow, as a table: what a key covers, and where the router finds it.</summary>
public sealed class IndexNowCoverageTests
{
    [Theory]
    // IndexNow: exactly its host
    [InlineData("www.example.com", null, "https://www.example.com/post", true)]
    [InlineData("www.example.com", null, "http://www.example.com/post", true)]
    [InlineData("www.example.com", null, "https://example.com/post", false)]
    [InlineData("www.example.com", null, "https://blog.www.example.com/post", false)]
    [InlineData("www.example.com", null, "https://WWW.Example.COM:443/post", true)]
    // IndexNow with keyLocation: its folder and below
    [InlineData("www.example.com", "https://www.example.com/blog/key.txt", "https://www.example.com/blog/post", true)]
    [InlineData("www.example.com", "https://www.example.com/blog/key.txt", "https://www.example.com/blog/2026/post", true)]
    [InlineData("www.example.com", "https://www.example.com/blog/key.txt", "https://www.example.com/shop/item", false)]
    [InlineData("www.example.com", "https://www.example.com/blog/key.txt", "https://www.example.com/blogroll", false)]
    [InlineData("www.example.com", "https://www.example.com/blog/<key>.txt", "https://www.example.com/blog/post", true)] // stored with a placeholder
    [InlineData("www.example.com", "https://www.example.com/blog/<key>.txt", "https://www.example.com/shop/item", false)]
    public async Task AnIndexNowKey_CoversItsHost_AndItsKeyLocationFolder_AndTheRouterRoutesExactlyThose(string host, string? keyLocation, string url, bool covered)
    {
        var key = IndexNowKey(host, keyLocation);
        Assert.Equal(covered, Channel(IndexNowChannel.Name).Covers(key, UrlNormalizer.Normalize(url)));

        var route = await RouteAsync(url, [IndexNowChannel.Name], [key]);
        Assert.Equal(covered ? [IndexNowChannel.Name] : [], route.Submit.Channels());
    }

    [Fact]
    public async Task AKeysTarget_NamesTheKey_ItsHostAsTheQuota_AndBingbotAsTheCrawler()
    {
        var route = await RouteAsync("https://www.example.com/post", [IndexNowChannel.Name], [IndexNowKey("www.example.com", id: "key-7")]);

        var target = Assert.Single(route.Submit);
        Assert.Equal((IndexNowChannel.Name, "key-7", "www.example.com", "bingbot"), (target.Channel, target.CredentialId, target.QuotaKey, target.Crawler));
        Assert.Empty(route.Check); // no index checker in this build covers it
    }

    [Fact]
    public async Task OfTwoKeysThatCoverAUrl_TheOldestIsUsed()
    {
        IReadOnlyList<Accounts.Contracts.CredentialView> keys =
        [
            IndexNowKey("www.example.com", "https://www.example.com/blog/key.txt", id: "blog-key", createdMinutesAfterT0: 1),
            IndexNowKey("www.example.com", id: "root-key", createdMinutesAfterT0: 5),
        ];

        Assert.Equal("blog-key", Assert.Single((await RouteAsync("https://www.example.com/blog/post", [IndexNowChannel.Name], keys)).Submit).CredentialId);
        Assert.Equal("root-key", Assert.Single((await RouteAsync("https://www.example.com/shop/item", [IndexNowChannel.Name], keys)).Submit).CredentialId);
    }

    [Fact]
    public async Task AKeyWhoseVerificationFailed_DoesNotCount_AndAnotherThatCoversTheUrlIsUsed()
    {
        var failed = IndexNowKey("www.example.com", id: "failed", status: Accounts.Contracts.CredentialStatuses.Failed);
        var unverified = IndexNowKey("www.example.com", "https://www.example.com/blog/key.txt", id: "unverified",
            status: Accounts.Contracts.CredentialStatuses.Unverified, createdMinutesAfterT0: 9);

        Assert.Empty((await RouteAsync("https://www.example.com/post", [IndexNowChannel.Name], [failed])).Submit);
        Assert.Equal("unverified", Assert.Single((await RouteAsync("https://www.example.com/blog/post", [IndexNowChannel.Name], [failed, unverified])).Submit).CredentialId);
    }

    [Fact]
    public async Task AUrlNoKeyCovers_HasNoSubmissionTarget()
    {
        var route = await RouteAsync("https://elsewhere.example/post", [IndexNowChannel.Name], [IndexNowKey("www.example.com")]);

        Assert.Empty(route.Submit);
        Assert.Empty(route.Check);
    }
}
