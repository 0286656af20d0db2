using BacklinkOrleans.SharedKernel.Urls;
using static BacklinkOrleans.Submission.Tests.Channels.Routing;

namespace BacklinkOrleans.Submission.Tests.PendingChannels;

/// <summary>
/// The coverage rules of protocols.md for the Google channel and the paid vendor, moved here from the Validation
/// module's routing table; they run against the channels the Submission module registers.
/// </summary>
public sealed class GoogleAndVendorCoverageTests
{
    [Theory]
    // a domain property: the domain and every subdomain, any scheme
    [InlineData("sc-domain:example.com", "https://example.com/a", true)]
    [InlineData("sc-domain:example.com", "http://www.example.com/a", true)]
    [InlineData("sc-domain:example.com", "https://deep.blog.example.com/a", true)]
    [InlineData("sc-domain:example.com", "https://notexample.com/a", false)]
    [InlineData("sc-domain:example.com", "https://example.com.evil.example/a", false)]
    // a URL-prefix property: only URLs under that prefix, scheme included
    [InlineData("https://www.example.com/", "https://www.example.com/a", true)]
    [InlineData("https://www.example.com/", "http://www.example.com/a", false)]
    [InlineData("https://www.example.com/", "https://example.com/a", false)]
    [InlineData("https://www.example.com/blog/", "https://www.example.com/blog/post", true)]
    [InlineData("https://www.example.com/blog/", "https://www.example.com/shop/item", false)]
    public void GoogleProperty_CoversByItsKind(string property, string url, bool covered) =>
        Assert.Equal(covered, Channel("google").Covers(GoogleAccount(property), UrlNormalizer.Normalize(url)));

    [Fact]
    public void AGooglePropertyRefusedForTheAccount_NoLongerCovers()
    {
        var account = GoogleAccount("sc-domain:example.com", "https://www.other.example/");
        var refused = account with { Scope = account.Scope with { RefusedProperties = new Dictionary<string, string> { ["sc-domain:example.com"] = "Google: not an owner" } } };

        Assert.False(Channel("google").Covers(refused, UrlNormalizer.Normalize("https://example.com/a")));
        Assert.True(Channel("google").Covers(refused, UrlNormalizer.Normalize("https://www.other.example/a")));
    }

    [Theory]
    [InlineData("https://b.example/x", new[] { "indexnow", "google" }, true, new[] { "google" })]
    [InlineData("https://b.example/x", new[] { "indexnow", "google" }, false, new string[0])]   // the tenant has not turned Google on
    [InlineData("https://a.example/x", new[] { "google", "indexnow" }, true, new[] { "indexnow" })]
    [InlineData("https://www.b.example/x", new[] { "google", "indexnow" }, true, new[] { "google" })]
    public async Task Google_IsRoutedOnlyForTenantsThatTurnedItOn(string url, string[] preference, bool enabled, string[] expected)
    {
        var route = await RouteAsync(url, preference, [IndexNowKey("a.example"), GoogleAccount("sc-domain:b.example")],
            enabled: enabled ? new HashSet<string> { "google" } : new HashSet<string>());
        Assert.Equal(expected, route.Submit.Channels());
        if (expected.Contains("google"))
            Assert.Equal(("p", "Googlebot"), (route.Submit.Single(t => t.Channel == "google").QuotaKey, route.Submit.Single(t => t.Channel == "google").Crawler));
    }

    [Fact]
    public void AVendorKey_CoversAnyHost() =>
        Assert.True(Channel("vendor").Covers(VendorAccount(), UrlNormalizer.Normalize("https://anything.example/x")));

    [Theory]
    [InlineData("https://blog.example/x", true)]
    [InlineData("https://www.blog.example/x", true)]
    [InlineData("https://notblog.example/x", false)]
    [InlineData("https://other.example/x", false)]
    public void AVendorKeyRestrictedToHosts_CoversOnlyThemAndTheirSubdomains(string url, bool covered)
    {
        var restricted = VendorAccount() with { Scope = new Accounts.Contracts.CredentialScope(Hosts: ["blog.example"]) };
        Assert.Equal(covered, Channel("vendor").Covers(restricted, UrlNormalizer.Normalize(url)));
    }

    [Theory]
    [InlineData("https://a.example/x", new[] { "indexnow", "google", "vendor" }, new[] { "indexnow", "vendor" })]
    [InlineData("https://b.example/x", new[] { "indexnow", "google", "vendor" }, new[] { "google", "vendor" })]
    [InlineData("https://b.example/x", new[] { "vendor", "google" }, new[] { "vendor", "google" })]
    [InlineData("https://c.example/x", new[] { "indexnow", "google" }, new string[0])]
    [InlineData("https://a.example/x", new[] { "google" }, new string[0])]
    public async Task Routes_AreTheCoveringChannels_InTheCampaignsPreferenceOrder(string url, string[] preference, string[] expected)
    {
        var route = await RouteAsync(url, preference, [IndexNowKey("a.example"), GoogleAccount("sc-domain:b.example"), VendorAccount()]);
        Assert.Equal(expected, route.Submit.Channels());
    }
}
