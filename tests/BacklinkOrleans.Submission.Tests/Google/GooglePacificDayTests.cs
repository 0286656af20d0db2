using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.Tests.Google;

[CollectionDefinition(nameof(GooglePacificDay))]
public sealed class GooglePacificDay : ICollectionFixture<OneSiloBeforeDst>;

/// <summary>200 a day per Cloud project, on a cluster of its own whose clock starts the evening before the 25-hour Pacific day of November 1, 2026.</summary>
[Collection(nameof(GooglePacificDay))]
public sealed class GooglePacificDayTests(OneSiloBeforeDst fixture) : GoogleLaneTests(fixture)
{
    [Fact]
    public async Task FourHundredFiftyUrls_OnOneProject_Go200ADay_AcrossThe25HourPacificDay_AndNoneTwice()
    {
        var (tenant, campaign, project, domain, _) = await GoogleTenantAsync();
        var start = Cluster.Clock.GetUtcNow();
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.Zero), NextPacificMidnight(start)); // midnight PDT

        await Cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 450).Select(i => $"https://{domain}/jobs/{i}"));
        await Cluster.WaitAsync(async () => Accepted(project) == 200 && SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 200,
            TimeSpan.FromMinutes(2), () => SeenAsync(tenant, project));
        var day1 = await Quota(tenant, project).GetQuotaAsync();
        var pacific = day1.Windows.Single(w => w.Window == "pacific-day");
        Assert.Equal((200, 200, 0), (pacific.Limit, pacific.Used, pacific.Remaining));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.Zero), pacific.ResetsAt);
        Assert.Equal(QuotaStates.Exhausted, day1.State);
        Assert.Equal(250, (await Cluster.StatesAsync(tenant)).GetValueOrDefault("validated")); // waiting for the next Pacific day, not failed

        // Nov 1 (Pacific) starts at 07:00 UTC and lasts 25 hours, to Nov 2 08:00 UTC.
        await Cluster.JumpToAsync(new DateTimeOffset(2026, 11, 1, 7, 2, 0, TimeSpan.Zero));
        await Cluster.WaitAsync(() => Task.FromResult(Accepted(project) == 400), TimeSpan.FromMinutes(2), () => SeenAsync(tenant, project));
        await Cluster.JumpToAsync(new DateTimeOffset(2026, 11, 2, 7, 30, 0, TimeSpan.Zero)); // 23:30 PST: still Nov 1
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(400, Accepted(project));
        await Cluster.JumpToAsync(new DateTimeOffset(2026, 11, 2, 8, 2, 0, TimeSpan.Zero)); // Nov 2 00:02 PST
        await Cluster.WaitAsync(async () => Accepted(project) >= 450 && SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 450,
            TimeSpan.FromMinutes(2), () => SeenAsync(tenant, project));
        await Task.Delay(TimeSpan.FromSeconds(2)); // nothing more goes out

        var accepted = Published(project).Where(p => p.Accepted).ToList();
        Assert.True(accepted.Count == 450 && accepted.Select(p => p.Url).Distinct().Count() == 450, await SeenAsync(tenant, project)); // none twice
        Assert.Equal([200, 200, 50], accepted.GroupBy(p => GoogleSimulation.PacificDay(p.At)).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.DoesNotContain(Published(project), p => p.Status == 429); // the lane kept within the quota: Google never had to refuse
        Assert.All(accepted, p => Assert.Equal("URL_UPDATED", p.Type));
    }
}
