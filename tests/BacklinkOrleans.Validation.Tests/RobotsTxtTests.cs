using System.Text;
using BacklinkOrleans.Validation.Robots;
using FsCheck;
using FsCheck.Xunit;

namespace BacklinkOrleans.Validation.Tests;

public sealed class RobotsTxtTests
{
    private const string Robots = """
        # the specific group applies to bingbot instead of *
        User-agent: *
        Disallow: /private
        Allow: /private/open

        User-agent: bingbot
        User-agent: FooBot/2.1
        Disallow: /no-bing$
        Disallow: /*.pdf$
        Allow: /shop/*/item
        Disallow: /shop/
        Sitemap: https://example.com/sitemap.xml
        Disallow: /after-sitemap
        """;

    [Theory]
    [InlineData("Googlebot", "https://example.com/private/page", false, 3)]
    [InlineData("Googlebot", "https://example.com/private/open/page", true, 4)] // longest match wins
    [InlineData("Googlebot", "https://example.com/public", true, null)]
    [InlineData("bingbot", "https://example.com/private/page", true, null)] // its own group, not *
    [InlineData("BINGBOT/2.0", "https://example.com/no-bing", false, 8)]
    [InlineData("bingbot", "https://example.com/no-bing/x", true, null)] // $ anchors the end
    [InlineData("bingbot", "https://example.com/docs/report.pdf", false, 9)]
    [InlineData("bingbot", "https://example.com/docs/report.pdf?x=1", true, null)]
    [InlineData("FooBot", "https://example.com/shop/42/item", true, 10)]
    [InlineData("FooBot", "https://example.com/shop/42/cart", false, 11)]
    [InlineData("bingbot", "https://example.com/after-sitemap", false, 13)] // sitemap lines do not end a group
    public void TheSpecificGroupApplies_TheLongestRuleWins(string agent, string url, bool allowed, int? line)
    {
        var verdict = RobotsTxt.Parse(Robots).Check(agent, url);
        Assert.Equal((allowed, line), (verdict.Allowed, verdict.Line));
    }

    [Fact]
    public void OnATie_AllowWins()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /page\nAllow: /page\n");
        Assert.True(robots.Check("x", "https://example.com/page").Allowed);
    }

    [Fact]
    public void AnEmptyDisallow_AllowsEverything_AndRulesBeforeAnyGroupAreIgnored()
    {
        Assert.True(RobotsTxt.Parse("User-agent: *\nDisallow:\n").Check("x", "https://e.example/a").Allowed);
        Assert.True(RobotsTxt.Parse("Disallow: /\nUser-agent: other\nDisallow: /\n").Check("x", "https://e.example/a").Allowed);
    }

    [Fact]
    public void PatternsArePercentEncodedAsUrlsAre()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /café\nDisallow: /a%2fb\n");
        Assert.False(robots.Check("x", "https://e.example/caf%C3%A9").Allowed);
        Assert.False(robots.Check("x", "https://e.example/a%2Fb").Allowed);
    }

    [Fact]
    public void OnlyTheFirst500KiB_AreRead()
    {
        var robots = new StringBuilder("User-agent: *\n");
        while (robots.Length < RobotsTxt.MaxBytes)
            robots.Append("Disallow: /filler-line-that-matches-nothing\n");
        robots.Append("Disallow: /beyond-the-cap\n");
        Assert.True(RobotsTxt.Parse(Encoding.UTF8.GetBytes(robots.ToString())).Check("x", "https://e.example/beyond-the-cap").Allowed);
    }

    [Fact]
    public void UnreachableRobots_DisallowsEverything() =>
        Assert.False(RobotsTxt.DisallowAll.Check("Googlebot", "https://e.example/any").Allowed);

    /// <summary>Whatever bytes a host serves, parsing and checking finish without throwing.</summary>
    [Property(MaxTest = 300)]
    public void AnyInput_NeverThrows(byte[] noise, NonEmptyString path, int seed)
    {
        var random = new Random(seed);
        string[] pieces = ["User-agent: ", "*", "bingbot", "\n", "\r\n", "Disallow: ", "Allow: ", "/", "*", "$", "#", "%", "%zz", ":", " ", "é", "\0", "\uFFFF"];
        var text = string.Concat(Enumerable.Range(0, random.Next(200)).Select(_ => pieces[random.Next(pieces.Length)]));
        foreach (var robots in new[] { RobotsTxt.Parse(noise), RobotsTxt.Parse(text) })
        {
            robots.Check("bingbot", "https://e.example/" + path.Get);
            robots.Check("*", path.Get);
        }
    }

    [Fact]
    public void AHugeAdversarialPattern_IsCheckedQuickly()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /" + string.Concat(Enumerable.Repeat("a*", 200_000)) + "b\n");
        var verdict = robots.Check("x", "https://e.example/" + new string('a', 2_000));
        Assert.True(verdict.Allowed);
    }
}
