namespace BacklinkOrleans.Submission.Tests.Checks;

/// <summary>A cluster of its own: a silo dies between a submission and its follow-up, and another takes its place.</summary>
public sealed class CheckSiloRestartTests : IAsyncLifetime
{
    private readonly TwoSilos cluster = new();

    public Task InitializeAsync() => cluster.InitializeAsync();

    public Task DisposeAsync() => cluster.DisposeAsync();

    [Fact]
    public async Task ASiloKilledBetweenChecks_LosesNoFollowUp()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var hosts = new[] { "restart-a.example", "restart-b.example", "restart-c.example" };
        foreach (var host in hosts)
            cluster.AddKey(tenant, host);
        TestCredentials.AddSerp(tenant, cluster.Sandbox.Serp.CreateApiKey());
        await cluster.CollectAsync(tenant, campaign, hosts.SelectMany(h => Enumerable.Range(0, 10).Select(i => $"https://{h}/post/{i}")));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 30, TimeSpan.FromMinutes(1), SeenAsync(tenant));

        // The secondary silo dies (its backlinks, quota grains and shard reminders with it); a new one joins.
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[^1]);
        await cluster.Cluster.StartAdditionalSiloAsync();
        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddHours(1).AddMinutes(1));

        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("indexed") == 30, TimeSpan.FromMinutes(3), SeenAsync(tenant));
        Assert.Equal(30, await cluster.BacklinksWithEventAsync(tenant, "backlink.index-checked.v1", "\"stage\":\"follow-up\"", "\"verdict\":\"indexed\""));
    }

    private Func<Task<string>> SeenAsync(string tenant) => async () =>
        $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; SERP {cluster.Sandbox.Serp.Statistics()}";
}
