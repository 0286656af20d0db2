using BacklinkOrleans.SharedKernel.Grains;
using Orleans.Runtime;
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
    public async Task AReferenceMadeWithoutOrleansTypeLookup_IsTheReferenceGetGrainMakes_AndReachesTheSameGrain()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl();
        var byOrleans = (GrainReference)(object)Backlink(hash);
        var cached = cluster.Grains.Reference<IBacklinkGrain>($"acme/{hash}");
        var again = (GrainReference)(object)cluster.Grains.Reference<IBacklinkGrain>($"acme/{NewUrl().Hash}");

        Assert.Equal(byOrleans.GrainId, ((GrainReference)(object)cached).GrainId);
        Assert.Equal(byOrleans.InterfaceType, ((GrainReference)(object)cached).InterfaceType);
        Assert.NotEqual(byOrleans.GrainId, again.GrainId); // the key is each call's own, not the first one's
        Assert.Equal(CollectResult.Collected, (await cached.CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50))).Result);
        Assert.Equal(url, (await Backlink(hash).GetAsync())!.Url);
    }

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
    public async Task ACampaign_QueuesAtMostItsCapOfChildSitemaps_OverItsLife_AndCountsTheRefused()
    {
        var campaign = cluster.Grains.GetGrain<ICampaignGrain>($"acme/{await cluster.NewCampaignAsync()}");
        static List<string> Sitemaps(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"https://a.example/sitemap-{i}.xml")];

        var first = await campaign.QueueSitemapsAsync(Sitemaps(0, SitemapLimits.PerCampaign - 10));
        var again = await campaign.QueueSitemapsAsync(Sitemaps(0, 10)); // already pending: neither queued nor refused
        var last = await campaign.QueueSitemapsAsync(Sitemaps(SitemapLimits.PerCampaign - 10, 25));

        Assert.Equal(new SitemapsQueued(SitemapLimits.PerCampaign - 10, 0), first);
        Assert.Equal(new SitemapsQueued(0, 0), again);
        Assert.Equal(new SitemapsQueued(10, 15), last);
        Assert.Equal(100, (await campaign.GetPendingSitemapsAsync(100)).Count); // a batch, not the whole queue
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
    public async Task ABacklink_WhoseHandOverOutlivedItsStoredSteps_IsSubmittedByTheAnswer_AndNotHandedOverAgain()
    {
        // The fast path hands the URL over and stores route, validation and queue after it: a silo lost in between
        // leaves a stream that shows only 'collected' while the channel has the URL. Its answer must make it
        // submitted, or it is routed, validated and sent again within the day (the cluster kill test found that).
        var campaign = await cluster.NewCampaignAsync();
        var control = cluster.Grains.GetGrain<ICampaignGrain>($"acme/{campaign}");
        Assert.True((await control.PauseAsync()).Accepted); // it stays collected, as the lost silo left it
        var (url, hash) = NewUrl("queued.example");
        await Backlink(hash).CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));
        Assert.Equal("collected", (await Backlink(hash).GetAsync())!.State);

        var answer = new SubmissionReport("indexnow", "key:ab12", "lost-drive-1", 200, true, null, 80, DateTimeOffset.UtcNow.AddHours(1));
        Assert.True((await Backlink(hash).RecordSubmissionAsync(answer)).Accepted);
        Assert.True((await Backlink(hash).RecordSubmissionAsync(answer)).Accepted); // redelivered: nothing more

        Assert.True((await control.ResumeAsync()).Accepted);
        var (other, otherHash) = NewUrl("queued.example");
        await Backlink(otherHash).CollectAsync(new CollectBacklink(other, campaign, null, null, null, 50));
        Assert.True(await WaitForAsync(() => Task.FromResult(TestPorts.EnqueueCalls.ContainsKey(otherHash))), "the resumed campaign's other URL is handed over");
        var view = (await Backlink(hash).GetAsync())!;
        Assert.Equal(("submitted", "indexnow"), (view.State, view.SubmittedVia));
        Assert.False(TestPorts.RouteCalls.ContainsKey(hash));
        Assert.False(TestPorts.EnqueueCalls.ContainsKey(hash));
    }

    [Fact]
    public async Task AWait_IsKeptByTheSchedulerShards_NotByAReminderPerBacklink()
    {
        var campaign = await cluster.NewCampaignAsync();
        var (url, hash) = NewUrl("queued.example");
        var backlink = Backlink(hash);
        var reminders = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();

        await backlink.CollectAsync(new CollectBacklink(url, campaign, null, null, null, 50));
        await cluster.WaitForStateAsync(backlink, "validated");
        Assert.True(await WaitForAsync(() => Task.FromResult(TestPorts.EnqueueCalls.GetValueOrDefault(hash) >= 1)));

        // Nobody calls the backlink again: when its look-again time has come, a shard's reminder finds it due and drives it.
        Assert.True(await WaitForAsync(() => Task.FromResult(TestPorts.EnqueueCalls.GetValueOrDefault(hash) >= 2), TimeSpan.FromSeconds(30)),
            "the shards should have woken the backlink when its wait was over");
        Assert.Empty((await reminders.ReadRows(backlink.GetGrainId())).Reminders);
        var all = await reminders.ReadRows(0, uint.MaxValue);
        Assert.DoesNotContain(all.Reminders, r => r.GrainId.Type.ToString().Contains("backlink", StringComparison.OrdinalIgnoreCase)
            && !r.GrainId.Type.ToString().Contains("scheduler", StringComparison.OrdinalIgnoreCase));
        // The view is read interleaved with the grain's turn: wait until the second answer is recorded (it asks for an hour).
        Assert.True(await WaitForAsync(async () => (await backlink.GetAsync())?.NextStepAt > DateTimeOffset.UtcNow.AddMinutes(30)),
            "the second queue answer should be recorded as the backlink's wait");
        var waiting = (await backlink.GetAsync())!;
        Assert.Equal("submit", waiting.NextStep);
        Assert.Contains("in the test queue", waiting.WaitingFor);
    }

    [Fact]
    public async Task TheBulkCollector_AppendsNewUrls_AndLetsTheGrainsDecideTheRest()
    {
        var (first, second) = (await cluster.NewCampaignAsync(), await cluster.NewCampaignAsync());
        var fresh = Enumerable.Range(0, 20).Select(_ => NewUrl()).ToList();
        var (known, knownHash) = NewUrl();
        var (joining, joiningHash) = NewUrl();
        await Backlink(knownHash).CollectAsync(new CollectBacklink(known, second, null, null, null, 50));
        await Backlink(joiningHash).CollectAsync(new CollectBacklink(joining, first, null, null, null, 50));
        var collector = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<BacklinkOrleans.Backlinks.Import.IBacklinkCollector>();

        var rows = fresh.Select((u, i) => Row(i + 1, u.Url, u.Hash, second))
            .Append(Row(21, fresh[0].Url, fresh[0].Hash, second))      // the same URL twice in the file
            .Append(Row(22, known, knownHash, second))                  // already in this campaign
            .Append(Row(23, joining, joiningHash, second))              // known to the tenant, new to this campaign
            .ToList();
        var outcomes = await collector.CollectManyAsync(SharedKernel.Tenancy.TenantId.From("acme"), rows, CancellationToken.None);

        Assert.Equal(Enumerable.Repeat(CollectResult.Collected, 20).Concat([CollectResult.Duplicate, CollectResult.Duplicate, CollectResult.JoinedCampaign]),
            outcomes.Select(o => o.Result));
        foreach (var (_, hash) in fresh)
            Assert.Equal(second, (await cluster.WaitForStateAsync(Backlink(hash), "validated")).Campaigns.Single());
        Assert.Equal(2, (await Backlink(joiningHash).GetAsync())!.Campaigns.Count);
        Assert.All(fresh, u => Assert.Equal(1, TestPorts.RouteCalls[u.Hash]));

        static BacklinkOrleans.Backlinks.Import.CollectRow Row(long number, string url, string hash, string campaign) =>
            new(number, hash, new Uri(url).Host, new CollectBacklink(url, campaign, null, null, null, 50));
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}
