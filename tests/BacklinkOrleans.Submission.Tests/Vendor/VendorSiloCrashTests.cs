using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Vendor;

namespace BacklinkOrleans.Submission.Tests.Vendor;

/// <summary>
/// A cluster of its own: the silo of a vendor account's quota grain dies after the vendor created the task and before
/// the answer came back. The survivor finds the task in the vendor's task list by its title (the request id it
/// reserved before sending): its URLs are submitted, the task is not created again, and its report is awaited.
/// </summary>
public sealed class VendorSiloCrashTests : IAsyncLifetime
{
    private readonly TwoSilos cluster = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private VendorSimulation Vendor => cluster.Sandbox.Vendor;

    public Task InitializeAsync() => cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        Vendor.HoldCreated = null;
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task ASiloKilledWhileTheVendorHoldsItsAnswer_IsReconciledByTheTasksTitle_AndTheTaskIsNotCreatedTwice()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], VendorChannel.Name);
        var key = Vendor.CreateAccount(100);
        var account = TestCredentials.AddVendor(tenant, key);
        var held = new TaskCompletionSource<VendorTask>(TaskCreationOptions.RunContinuationsAsynchronously);
        Vendor.HoldCreated = async task =>
        {
            if (task.ApiKey == key && held.TrySetResult(task))
                await release.Task;
        };
        var host = $"crash-{Guid.NewGuid():N}"[..14] + ".example";

        var urls = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 12).Select(i => $"https://{host}/p/{i}"));
        var created = await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var quota = cluster.Grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, VendorChannel.Name, account.Id));
        Assert.Equal(12, (await quota.GetQuotaAsync()).Reserved); // reserved before it was sent
        Assert.Equal(12, created.Urls.Count);

        var sender = TestCredentials.AskedFrom[tenant];
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(sender)));
        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddMinutes(3)); // past any send's duration: the reservation is an orphan

        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 12,
            TimeSpan.FromMinutes(3), async () => $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; "
                + $"tasks {Vendor.Tasks.Count(t => t.ApiKey == key)}; requests {string.Join(" ", Vendor.Requests.Where(r => r.ApiKey == key).Select(r => $"{r.Path}={r.Status}/{r.Code}"))}; "
                + SubmissionCluster.Describe(await quota.GetQuotaAsync()) + "; " + string.Join(" | ", cluster.Problems.Lines.TakeLast(8)));

        var task = Assert.Single(Vendor.Tasks, t => t.ApiKey == key); // not created twice
        Assert.Equal(created.Id, task.Id);
        Assert.Equal(urls.Select(u => u.Value).Order(), task.Urls.Order());
        Assert.Contains(Vendor.Requests, r => r.ApiKey == key && r.Path.EndsWith("/list/0", StringComparison.Ordinal)); // looked up by title
        Assert.Equal(88, Vendor.Balance(key)!.Value.Indexer);
        Assert.Equal(12, (await quota.GetQuotaAsync()).AwaitingReport); // its report is still asked for
        Assert.Equal(12, await cluster.BacklinksWithEventAsync(tenant, "backlink.submission-attempted.v1", "\"accepted\":true", "\"cost\":0.02"));
    }
}
