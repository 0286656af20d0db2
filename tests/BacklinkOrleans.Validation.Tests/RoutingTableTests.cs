using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Validation.Routing;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>Every coverage rule of protocols.md, as a table.</summary>
public sealed class RoutingTableTests
{
    private static CredentialView IndexNow(string host, string? keyLocation = null) =>
        new("i", CredentialKinds.IndexNow, "", new CredentialScope(Host: host, KeyLocation: keyLocation), "", CredentialStatuses.Verified, null, null, default);

    private static CredentialView Google(params string[] properties) =>
        new("g", CredentialKinds.Google, "", new CredentialScope(ClientEmail: "sa@p.iam.gserviceaccount.com", Properties: properties), "", CredentialStatuses.Unverified, null, null, default);

    private static CredentialView Vendor() =>
        new("v", CredentialKinds.Vendor, "", new CredentialScope(), "", CredentialStatuses.Unverified, null, null, default);

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
    public void IndexNowKey_CoversItsHost_AndItsKeyLocationFolder(string host, string? keyLocation, string url, bool covered) =>
        Assert.Equal(covered, Coverage.Covers(IndexNow(host, keyLocation), UrlNormalizer.Normalize(url)));

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
        Assert.Equal(covered, Coverage.Covers(Google(property), UrlNormalizer.Normalize(url)));

    [Fact]
    public void AVendorKey_CoversAnyHost() =>
        Assert.True(Coverage.Covers(Vendor(), UrlNormalizer.Normalize("https://anything.example/x")));

    [Theory]
    [InlineData("https://a.example/x", new[] { "indexnow", "google", "vendor" }, new[] { "indexnow", "vendor" })]
    [InlineData("https://b.example/x", new[] { "indexnow", "google", "vendor" }, new[] { "google", "vendor" })]
    [InlineData("https://b.example/x", new[] { "vendor", "google" }, new[] { "vendor", "google" })]
    [InlineData("https://c.example/x", new[] { "indexnow", "google" }, new string[0])]
    [InlineData("https://a.example/x", new[] { "google" }, new string[0])]
    public void Routes_AreTheCoveringChannels_InTheCampaignsPreferenceOrder(string url, string[] preference, string[] expected)
    {
        IReadOnlyList<CredentialView> credentials = [IndexNow("a.example"), Google("sc-domain:b.example"), Vendor()];
        Assert.Equal(expected, CoverageRouter.Route(preference, credentials, UrlNormalizer.Normalize(url)));
    }
}
