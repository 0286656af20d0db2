using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.SharedKernel.Tests;

public sealed class KeysTests
{
    [Theory]
    [InlineData("acme")]
    [InlineData("acme-seo-2")]
    [InlineData("0agency")]
    public void TenantId_AcceptsSlugs(string value) => Assert.Equal(value, TenantId.From(value).Value);

    [Theory]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData("acme/x")]
    [InlineData("a b")]
    public void TenantId_RejectsOthers_WithReason(string value)
    {
        Assert.False(TenantId.TryFrom(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TenantId_RejectsTooLong() => Assert.False(TenantId.TryFrom(new string('a', 64), out _, out _));

    [Fact]
    public void BacklinkKey_IsTenantSlashUrlHash_AndParsesBack()
    {
        var url = UrlNormalizer.Normalize("https://guest-blog.example/post");
        var key = BacklinkKey.For(TenantId.From("acme"), url);
        Assert.Equal($"acme/{url.Sha256}", key.ToString());
        Assert.Equal(key, BacklinkKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme/not-a-hash")]
    [InlineData("ACME/0000000000000000000000000000000000000000000000000000000000000000")]
    public void BacklinkKey_RejectsMalformed(string key) => Assert.False(BacklinkKey.TryParse(key, out _, out _));

    [Fact]
    public void SameUrlInTwoTenants_HasTwoKeys()
    {
        var url = UrlNormalizer.Normalize("https://guest-blog.example/post");
        Assert.NotEqual(BacklinkKey.For(TenantId.From("a"), url), BacklinkKey.For(TenantId.From("b"), url));
    }
}
