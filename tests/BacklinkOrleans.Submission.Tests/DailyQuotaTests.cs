using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.Tests;

[CollectionDefinition(nameof(OneSilo))]
public sealed class OneSiloCollection : ICollectionFixture<OneSilo>;

/// <summary>The daily budget per key, over real HTTP to the Sandbox, across a UTC day boundary on the fake clock.</summary>
[Collection(nameof(OneSilo))]
public sealed class DailyQuotaTests(OneSilo cluster)
{
    [Fact]
    public async Task TwentyFiveThousandUrlsOnThreeHosts_GoOutWithinEachKeysDailyLimit_AndTheRestOnDayTwo()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var hosts = new[] { ("alpha.example", 12_000), ("beta.example", 12_000), ("gamma.example", 1_000) };
        var keys = hosts.ToDictionary(h => h.Item1, h => cluster.AddKey(tenant, h.Item1));
        var urls = hosts.SelectMany(h => Enumerable.Range(0, h.Item2).Select(i => $"https://{h.Item1}/post/{i}")).ToList();
        var dayOne = IndexNowDay(cluster.Clock.GetUtcNow());

        await cluster.CollectAsync(tenant, campaign, urls);

        // Day one: each key sends up to its limit, and every accepted URL's backlink is submitted.
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 21_000,
            TimeSpan.FromMinutes(4), async () => Describe(await cluster.StatesAsync(tenant)));
        var accepted = Accepted(keys.Values);
        Assert.Equal(10_000, accepted.Count(s => s.Host == "alpha.example"));
        Assert.Equal(10_000, accepted.Count(s => s.Host == "beta.example"));
        Assert.Equal(1_000, accepted.Count(s => s.Host == "gamma.example"));
        Assert.All(accepted, s => Assert.Equal(dayOne, s.Day));
        Assert.All(cluster.Sandbox.IndexNow.Submissions.Where(s => keys.Values.Contains(s.Key)), s => Assert.True(s.Urls.Count <= 1_000));
        var alpha = await cluster.IndexNowQuota(tenant, "alpha.example").GetQuotaAsync();
        Assert.Equal(("utc-day", 10_000, 10_000, 0, 0), (alpha.Windows[0].Window, alpha.Windows[0].Limit, alpha.Windows[0].Used, alpha.Windows[0].Remaining, alpha.Reserved));
        Assert.Equal(QuotaStates.Exhausted, alpha.State);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), alpha.Windows[0].ResetsAt);
        var waiting = await cluster.StatesAsync(tenant);
        Assert.Equal(4_000, waiting.GetValueOrDefault("validated")); // waiting for quota is not failure

        // Day two: the 4,000 that waited go out, once each.
        await cluster.JumpToAsync(new DateTimeOffset(2026, 11, 25, 0, 1, 5, TimeSpan.Zero));
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 25_000,
            TimeSpan.FromMinutes(3), async () => Describe(await cluster.StatesAsync(tenant)));
        accepted = Accepted(keys.Values);
        Assert.Equal(4_000, accepted.Count(s => s.Day == dayOne.AddDays(1)));
        Assert.Equal(2_000, accepted.Count(s => s.Day == dayOne.AddDays(1) && s.Host == "alpha.example"));
        Assert.Equal(25_000, accepted.Select(s => s.Url).Distinct().Count()); // no URL in two accepted requests
        Assert.Equal(25_000, accepted.Count);
    }

    private static DateOnly IndexNowDay(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>Every URL in an accepted request of these keys, as the Sandbox saw it.</summary>
    private List<(string Url, string Host, DateOnly Day)> Accepted(ICollection<string> keys) =>
        [.. cluster.Sandbox.IndexNow.Submissions.Where(s => s.Accepted && keys.Contains(s.Key!))
            .SelectMany(s => s.Urls.Select(u => (u, s.Host!, IndexNowDay(s.At))))];

    private static string Describe(Dictionary<string, int> states) => string.Join(", ", states.Select(s => $"{s.Key}={s.Value}"));
}
