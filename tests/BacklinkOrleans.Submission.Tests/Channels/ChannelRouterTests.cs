using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.IndexNow;
using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Channels.Routing;

namespace BacklinkOrleans.Submission.Tests.Channels;

/// <summary>
/// The router's own rules, with IndexNow beside stand-in channels (any channel plugs in the same way): the campaign's
/// preference orders the targets, a channel of no credential or of no such channel is left out, checkers are apart,
/// and the coverage index finds a credential by the host, its parent domains or any host.
/// </summary>
public sealed class ChannelRouterTests
{
    /// <summary>Stand-in channels: one whose credentials cover any host, one per domain (and its subdomains), one index checker.</summary>
    private static readonly ChannelRegistry Registry = new([
        Channel(IndexNowChannel.Name),
        new StandIn("anywhere", ChannelPurpose.Submit, "anywhere-account", _ => ["*"], (_, _) => true),
        new StandIn("domains", ChannelPurpose.Submit, "domain-account", c => [$"*.{c.Scope.Host}"],
            (c, url) => url.Host == c.Scope.Host || url.Host.EndsWith("." + c.Scope.Host, StringComparison.Ordinal)),
        new StandIn("checker", ChannelPurpose.Check, "anywhere-account", _ => ["*"], (_, _) => true),
    ]);

    private static readonly CredentialView Anywhere = new("any-1", "anywhere-account", "", new CredentialScope(), "", CredentialStatuses.Verified, null, null, T0);

    private static CredentialView Domain(string domain, string status = CredentialStatuses.Verified) =>
        new($"dom-{domain}", "domain-account", "", new CredentialScope(Host: domain), "", status, null, null, T0);

    private static readonly IReadOnlyList<CredentialView> Credentials = [IndexNowKey("a.example"), Anywhere, Domain("b.example")];

    [Theory]
    [InlineData("https://a.example/x", new[] { "indexnow", "domains", "anywhere" }, new[] { "indexnow", "anywhere" })]
    [InlineData("https://a.example/x", new[] { "anywhere", "indexnow" }, new[] { "anywhere", "indexnow" })]
    [InlineData("https://b.example/x", new[] { "indexnow", "domains", "anywhere" }, new[] { "domains", "anywhere" })]
    [InlineData("https://deep.blog.b.example/x", new[] { "domains" }, new[] { "domains" })]
    [InlineData("https://b.example.evil.example/x", new[] { "domains", "indexnow" }, new string[0])]
    [InlineData("https://c.example/x", new[] { "indexnow", "domains" }, new string[0])]
    [InlineData("https://a.example/x", new[] { "google", "vendor", "indexnow" }, new[] { "indexnow" })] // channels this build lacks are left out
    [InlineData("https://a.example/x", new[] { "checker", "indexnow" }, new[] { "indexnow" })]         // a checker never submits
    public async Task Routes_AreTheCoveringChannels_InTheCampaignsPreferenceOrder(string url, string[] preference, string[] expected) =>
        Assert.Equal(expected, (await RouteAsync(url, preference, Credentials, Registry)).Submit.Channels());

    [Fact]
    public async Task TheIndexCheckers_ThatCoverTheUrl_AreRoutedApart_WhateverTheCampaignPrefers()
    {
        var route = await RouteAsync("https://a.example/x", ["indexnow"], Credentials, Registry);

        var check = Assert.Single(route.Check);
        Assert.Equal(("checker", "any-1", "any-1", "standinbot"), (check.Channel, check.CredentialId, check.QuotaKey, check.Crawler));
    }

    [Fact]
    public async Task ACredentialWhoseVerificationFailed_DoesNotCount_ForAnyChannel()
    {
        var route = await RouteAsync("https://b.example/x", ["domains", "indexnow"], [Domain("b.example", CredentialStatuses.Failed), IndexNowKey("b.example")], Registry);

        Assert.Equal(["indexnow"], route.Submit.Channels());
    }

    [Fact]
    public async Task ATenantWithNoCredentials_HasNoTargetsAtAll()
    {
        var route = await RouteAsync("https://a.example/x", ["indexnow", "anywhere", "domains"], [], Registry);

        Assert.Empty(route.Submit);
        Assert.Empty(route.Check);
    }

    private sealed class StandIn(string name, ChannelPurpose purpose, string kind, Func<CredentialView, IEnumerable<string>> keys,
        Func<CredentialView, NormalizedUrl, bool> covers) : IChannel
    {
        public ChannelDescriptor Descriptor { get; } = new(name, purpose, kind, "standinbot", 100);

        public LaneOptions Options { get; } = new();

        public IReadOnlyList<QuotaLimit> Limits => [];

        public bool Covers(CredentialView credential, NormalizedUrl url) => covers(credential, url);

        public IEnumerable<string> CoverageKeys(CredentialView credential) => keys(credential);

        public string QuotaKeyOf(CredentialView credential) => credential.Id;

        public Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("routing never sends");
    }
}
