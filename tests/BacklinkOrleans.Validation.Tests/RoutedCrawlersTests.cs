using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Validation.Probing;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>
/// Routing moved to the Submission module (its coverage tests are there); validation checks robots.txt for the
/// crawlers of the channels a URL was routed to, each named once.
/// </summary>
public sealed class RoutedCrawlersTests
{
    [Fact]
    public void TheCrawlers_AreThoseOfTheRoutedTargets_InOrder_EachOnce() =>
        Assert.Equal(["bingbot", "Googlebot"], PageValidator.Crawlers([
            new RouteTarget("indexnow", "key-1", "a.example", "bingbot"),
            new RouteTarget("google", "sa-1", "project-1", "Googlebot"),
            new RouteTarget("indexnow", "key-2", "b.example", "bingbot"),
        ]));

    [Fact]
    public void ATargetKnownOnlyByItsChannel_BringsThatChannelsCrawler() =>
        Assert.Equal(["bingbot", "*"], PageValidator.Crawlers([RouteTarget.ForChannel("indexnow"), RouteTarget.ForChannel("vendor")]));

    [Fact]
    public void WithoutTargets_TheRulesForEveryCrawlerApply()
    {
        Assert.Equal(["*"], PageValidator.Crawlers(null));
        Assert.Equal(["*"], PageValidator.Crawlers([]));
    }
}
