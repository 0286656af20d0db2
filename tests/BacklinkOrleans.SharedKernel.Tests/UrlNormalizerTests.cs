using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.SharedKernel.Tests;

public sealed class UrlNormalizerTests
{
    [Theory]
    // scheme and host case
    [InlineData("HTTP://Example.COM", "http://example.com/")]
    [InlineData("HtTpS://WWW.Example.Com/Path", "https://www.example.com/Path")]
    // default and explicit ports
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("https://example.com:443/", "https://example.com/")]
    [InlineData("https://example.com:80/", "https://example.com:80/")]
    [InlineData("http://example.com:8080/", "http://example.com:8080/")]
    [InlineData("http://example.com:0080/", "http://example.com/")]
    [InlineData("http://example.com:/", "http://example.com/")]
    // empty path, query without path
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("http://example.com?q=1", "http://example.com/?q=1")]
    // dot-segments
    [InlineData("http://example.com/a/./b/../c", "http://example.com/a/c")]
    [InlineData("http://example.com/../a", "http://example.com/a")]
    [InlineData("http://example.com/a/b/..", "http://example.com/a/")]
    [InlineData("http://example.com/a/%2E%2E/b", "http://example.com/b")]
    [InlineData("http://example.com/a/.hidden", "http://example.com/a/.hidden")]
    // percent-encoding
    [InlineData("http://example.com/%7euser", "http://example.com/~user")]
    [InlineData("http://example.com/%41%42c", "http://example.com/ABc")]
    [InlineData("http://example.com/a%2fb", "http://example.com/a%2Fb")]
    [InlineData("http://example.com/%e2%82%ac", "http://example.com/%E2%82%AC")]
    [InlineData("http://example.com/a b", "http://example.com/a%20b")]
    [InlineData("http://example.com/ä?x=ü", "http://example.com/%C3%A4?x=%C3%BC")]
    [InlineData("http://example.com/?q=%41&r=%2f", "http://example.com/?q=A&r=%2F")]
    [InlineData("http://example.com/p?", "http://example.com/p?")]
    // fragment dropped
    [InlineData("http://example.com/page#section", "http://example.com/page")]
    [InlineData("http://example.com/page?a=1#", "http://example.com/page?a=1")]
    // IDN and trailing dot
    [InlineData("http://münchen.de/", "http://xn--mnchen-3ya.de/")]
    [InlineData("https://BÜCHER.example/x", "https://xn--bcher-kva.example/x")]
    [InlineData("http://xn--mnchen-3ya.de/", "http://xn--mnchen-3ya.de/")]
    [InlineData("http://example.com./a", "http://example.com/a")]
    // IPv6 literal
    [InlineData("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/")]
    // surrounding white space
    [InlineData("  https://example.com/x \t", "https://example.com/x")]
    public void Normalizes(string input, string expected)
    {
        Assert.True(UrlNormalizer.TryNormalize(input, out var url, out var rejection), rejection?.Detail);
        Assert.Equal(expected, url.Value);
    }

    [Theory]
    [InlineData("http://user:pass@example.com/", "user-info")]
    [InlineData("http://@example.com/", "user-info")]
    [InlineData("ftp://example.com/file", "scheme 'ftp'")]
    [InlineData("javascript:alert(1)", "scheme 'javascript'")]
    [InlineData("mailto:someone@example.com", "scheme 'mailto'")]
    [InlineData("file:///etc/passwd", "scheme 'file'")]
    [InlineData("example.com/page", "absolute")]
    [InlineData("//example.com/page", "absolute")]
    [InlineData("http:/example.com", "host after '//'")]
    [InlineData("http://", "host is missing")]
    [InlineData("http://:80/", "host is missing")]
    [InlineData("http://example.com:99999/", "port '99999'")]
    [InlineData("http://example.com:0/", "port '0'")]
    [InlineData("http://example.com:8a/", "port '8a'")]
    [InlineData("http://exa mple.com/", "not allowed in a host")]
    [InlineData("http://example..com/", "empty label")]
    [InlineData("http://example.com/%zz", "percent-escape")]
    [InlineData("http://example.com/?q=%4", "percent-escape")]
    [InlineData("http://[::1/", "closing ']'")]
    [InlineData("http://[not-ip]/", "not a valid IPv6")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("http://example.com/\u0000", "control characters")]
    public void Rejects(string input, string detailContains)
    {
        Assert.False(UrlNormalizer.TryNormalize(input, out _, out var rejection));
        Assert.Equal(UrlRejection.InvalidUrl, rejection.Reason);
        Assert.Contains(detailContains, rejection.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EquivalentSpellings_HaveOneHash()
    {
        var spellings = new[]
        {
            "HTTP://www.Example.com:80/a/../b/%7Efoo#top",
            "http://www.example.com/b/~foo",
            "http://WWW.EXAMPLE.COM./b/./%7efoo",
        };
        var hashes = spellings.Select(s => UrlNormalizer.Normalize(s).Sha256).Distinct().ToList();
        Assert.Single(hashes);
        Assert.True(UrlHashes.IsSha256Hex(hashes[0]));
    }

    [Fact]
    public void DifferentResources_HaveDifferentHashes()
    {
        Assert.NotEqual(UrlNormalizer.Normalize("https://example.com/a").Sha256, UrlNormalizer.Normalize("http://example.com/a").Sha256);
        Assert.NotEqual(UrlNormalizer.Normalize("https://example.com/A").Sha256, UrlNormalizer.Normalize("https://example.com/a").Sha256);
    }

    [Fact]
    public void Normalize_Throws_NamingTheInputAndReason()
    {
        var e = Assert.Throws<FormatException>(() => UrlNormalizer.Normalize("gopher://x"));
        Assert.Contains("gopher://x", e.Message);
        Assert.Contains("scheme", e.Message);
    }

    [Fact]
    public void NormalizedForm_IsAFixedPoint()
    {
        foreach (var input in new[] { "HTTP://münchen.DE:80/a/../%7e?q=%e2%82%ac#f", "http://[::FFFF:1.2.3.4]/x y" })
        {
            var once = UrlNormalizer.Normalize(input).Value;
            Assert.Equal(once, UrlNormalizer.Normalize(once).Value);
        }
    }
}
