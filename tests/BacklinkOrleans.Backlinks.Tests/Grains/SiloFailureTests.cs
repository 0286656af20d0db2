using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Backlinks.Tests.Grains;

/// <summary>A cluster of its own: this test kills a silo.</summary>
public sealed class SiloFailureTests : IAsyncLifetime
{
    private readonly LifecycleCluster cluster = new();

    public Task InitializeAsync() => cluster.InitializeAsync();

    public Task DisposeAsync() => cluster.DisposeAsync();

    [Fact]
    public async Task ASiloKilledMidLifecycle_ASchedulerShardReDrivesTheBacklink_OnTheSurvivor()
    {
        var campaign = await cluster.NewCampaignAsync();
        var url = UrlNormalizer.Normalize($"https://stalled.example/post/{Guid.NewGuid():N}");
        var gate = new TaskCompletionSource();
        TestPorts.Gates["stalled.example"] = gate; // validation hangs wherever it first runs
        var backlink = cluster.Grains.GetGrain<IBacklinkGrain>($"acme/{url.Sha256}");

        await backlink.CollectAsync(new CollectBacklink(url.Value, campaign, null, null, null, 50));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!TestPorts.ValidatedOn.ContainsKey(url.Sha256) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var stalledOn = TestPorts.ValidatedOn[url.Sha256];

        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(stalledOn)));
        TestPorts.Gates.TryRemove("stalled.example", out _); // the next attempt passes

        // Nobody calls the backlink: a scheduler shard on the survivor (on its reminder) finds it overdue and drives it on.
        var deadline2 = DateTime.UtcNow.AddSeconds(90);
        while (TestPorts.ValidateCalls[url.Sha256] < 2 && DateTime.UtcNow < deadline2)
            await Task.Delay(200);
        var view = await cluster.WaitForStateAsync(backlink, "validated", TimeSpan.FromSeconds(60));

        Assert.True(TestPorts.ValidateCalls[url.Sha256] >= 2);
        Assert.NotEqual(stalledOn, TestPorts.ValidatedOn[url.Sha256]);
        Assert.Equal("validated", view.State);
        gate.TrySetResult();
    }
}
