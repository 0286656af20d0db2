using BacklinkOrleans.Validation.Robots;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>
/// robots.txt for Googlebot as Google applies it (google/robotstxt, robots.cc and robots_test.cc): an allowed index
/// page allows its directory, a line is cut at Google's maximum length before it is parsed, and the caller's user agent
/// is matched by its product token. Other crawlers get RFC 9309 as written.
/// </summary>
public sealed class GooglebotRobotsTests
{
    private static RobotsVerdict Check(string robots, string agent, string url) => RobotsTxt.Parse(robots).Check(agent, url);

    private const string IndexPage = "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n";

    [Theory]
    [InlineData("http://foo.com/allowed-slash/", true)]              // index.html allowed: so is the directory itself
    [InlineData("http://foo.com/allowed-slash/index.html", true)]    // the exact match
    [InlineData("http://foo.com/allowed-slash/index.htm", false)]    // not exactly the allowed page
    [InlineData("http://foo.com/allowed-slash/other", false)]        // only the directory itself ($), not under it
    [InlineData("http://foo.com/anyother-url", false)]
    public void ForGooglebot_AnAllowedIndexPage_AllowsItsDirectory(string url, bool allowed) =>
        Assert.Equal(allowed, Check(IndexPage, "Googlebot", url).Allowed);

    [Fact]
    public void ForOtherCrawlers_AnAllowedIndexPage_AllowsOnlyItself()
    {
        Assert.False(Check(IndexPage, "bingbot", "http://foo.com/allowed-slash/").Allowed);
        Assert.True(Check(IndexPage, "bingbot", "http://foo.com/allowed-slash/index.html").Allowed);
    }

    [Fact]
    public void TheHtmVariant_AllowsTheDirectoryToo() =>
        Assert.True(Check("User-agent: *\nDisallow: /\nAllow: /a/b/index.htm\n", "Googlebot-Image", "http://foo.com/a/b/").Allowed);

    /// <summary>robots_test.cc, ID_LinesTooLongReturnFalse's second case: the rule matches after being cut at Google's length.</summary>
    [Fact]
    public void ForGooglebot_ALineIsCutAtGooglesMaximumLengthBeforeItIsParsed()
    {
        const string disallow = "disallow: ";
        var longPath = "/x/" + new string('a', (2083 * 8) - "/x/".Length - disallow.Length + 1 - 3);
        var robots = $"user-agent: *\n{disallow}{longPath}/qux\n";

        Assert.True(Check(robots, "Googlebot", "http://foo.bar/fux").Allowed); // matches nothing
        var cut = Check(robots, "Googlebot", $"http://foo.bar{longPath}/fux");
        Assert.False(cut.Allowed); // the cut-off rule (…aaa/) matches
        Assert.Equal(RobotsTxt.GoogleMaxLineLength, cut.Rule!.Length);
        Assert.True(Check(robots, "bingbot", $"http://foo.bar{longPath}/fux").Allowed); // RFC 9309: the whole rule, which does not match
    }

    [Theory]
    [InlineData("Googlebot/2.1 (+http://www.google.com/bot.html)")]
    [InlineData("googlebot")]
    [InlineData("Googlebot")]
    public void TheCallersUserAgent_IsMatchedByItsProductToken_AsGoogleDoes(string agent)
    {
        const string robots = "User-agent: Googlebot\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n";

        Assert.False(Check(robots, agent, "http://foo.com/private/x").Allowed);
        Assert.True(Check(robots, agent, "http://foo.com/public").Allowed); // its own group, not the * group
    }

    [Fact]
    public void AGroupForGooglebotNews_IsNotGooglebots()
    {
        const string robots = "User-agent: Googlebot-News\nDisallow: /\n";

        Assert.True(Check(robots, "Googlebot", "http://foo.com/x").Allowed);
        Assert.False(Check(robots, "Googlebot-News", "http://foo.com/x").Allowed);
    }
}
