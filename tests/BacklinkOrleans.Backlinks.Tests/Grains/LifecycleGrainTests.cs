using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Backlinks.Tests.Grains;

[CollectionDefinition(Name)]
public sealed class LifecycleClusterCollection : ICollectionFixture<LifecycleCluster>
{
    public const string Name = "lifecycle cluster";
}

[Collection(LifecycleClusterCollection.Name)]
public sealed class LifecycleGrainTests(LifecycleCluster cluster)
{
    private static (string Url, string Hash) NewUrl(string host = "guest-blog.example")
    {
        var url = UrlNormalizer.Normalize($"https://{host}/post/{Guid.NewGuid():N}");
        return (url.Value, url.Sha256);
    }

    private IBacklinkGrain Backlink(string hash) => cluster.Grains.GetGrain<IBacklinkGrain>($"acme/{hash}");

    [Fact]
    public async Task ACollectedUrl_TakesTheFastPath_ToValidated()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl();

        var outcome = await Backlink(hash).CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));

        Assert.Equal(CollectResult.Collected, outcome.Result);
        var view = await cluster.WaitForStateAsync(Backlink(hash), "validated");
        Assert.Equal(["indexnow"], view.Channels!);
    }

    [Fact]
    public async Task DuplicateCollection_IsOneLifecycle_WithMembershipInEachCampaign()
    {
        var (first, second) = (await cluster.NewCampaignAsync(), await cluster.NewCampaignAsync());
        var (url, hash) = NewUrl();

        var outcomes = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(_ => Backlink(hash).CollectAsync(new CollectBacklink(url, first, null, null, null, 50)))
                .Concat(Enumerable.Range(0, 5).Select(_ => Backlink(hash).CollectAsync(new CollectBacklink(url, second, null, null, null, 50)))));

        var results = outcomes.Select(o => o.Result).ToList();
        Assert.Equal(1, results.Count(r => r == CollectResult.Collected));
        Assert.Equal(1, results.Count(r => r == CollectResult.JoinedCampaign));
        Assert.Equal(13, results.Count(r => r == CollectResult.Duplicate));
        var view = await cluster.WaitForStateAsync(Backlink(hash), "validated");
        Assert.Equal(2, view.Campaigns.Count);
        Assert.Equal(1, TestPorts.RouteCalls[hash]);
        Assert.Equal(1, TestPorts.ValidateCalls[hash]);
    }

    [Fact]
    public async Task AnUncoveredHost_FailsWithNoChannel_BeforeAnyFetch()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl("uncovered.example");
        await Backlink(hash).CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));

        var view = await cluster.WaitForStateAsync(Backlink(hash), "failed");

        Assert.Equal(FailureReasons.NoChannel, view.Reason);
        Assert.False(TestPorts.ValidateCalls.ContainsKey(hash));
    }

    [Fact]
    public async Task APausedCampaign_MakesNoProgress_UntilResumed()
    {
        var campaign = await cluster.NewCampaignAsync();
        var control = cluster.Grains.GetGrain<ICampaignGrain>($"acme/{campaign}");
        Assert.True((await control.PauseAsync()).Accepted);
        var (url, hash) = NewUrl();

        await Backlink(hash).CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));
        await Task.Delay(TimeSpan.FromSeconds(4)); // several sweeper periods

        Assert.Equal("collected", (await Backlink(hash).GetAsync())!.State);
        Assert.False(TestPorts.RouteCalls.ContainsKey(hash));

        Assert.True((await control.ResumeAsync()).Accepted);
        await cluster.WaitForStateAsync(Backlink(hash), "validated");
    }

    [Fact]
    public async Task UserCommands_AreExplicitlyRejectedWhenTheyDoNotFit()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl();
        await Backlink(hash).CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));
        await cluster.WaitForStateAsync(Backlink(hash), "validated");

        var retry = await Backlink(hash).RetryAsync();
        var retire = await Backlink(hash).RetireAsync();
        var again = await Backlink(hash).RetireAsync();

        Assert.Equal((false, "not-failed"), (retry.Accepted, retry.RejectionCode));
        Assert.True(retire.Accepted);
        Assert.True(retire.Backlink!.Retired);
        Assert.Equal((false, "retired"), (again.Accepted, again.RejectionCode));
    }

    [Fact]
    public async Task ALongWait_RegistersTheFollowupReminder_AndRetiringRemovesIt()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl("queued.example");
        var backlink = Backlink(hash);
        var reminders = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();

        await backlink.CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));
        await cluster.WaitForStateAsync(backlink, "validated");
        var registered = await WaitForAsync(async () => (await reminders.ReadRows(backlink.GetGrainId())).Reminders.Any(r => r.ReminderName == "followup"));

        Assert.True(registered, "a wait of an hour should register the followup reminder");
        Assert.True((await backlink.RetireAsync()).Accepted);
        Assert.True(await WaitForAsync(async () => (await reminders.ReadRows(backlink.GetGrainId())).Reminders.Count == 0),
            "with nothing pending the reminder should be gone");
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}
