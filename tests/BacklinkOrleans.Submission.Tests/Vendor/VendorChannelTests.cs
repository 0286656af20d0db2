using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Tests.Checks;
using BacklinkOrleans.Submission.Vendor;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Tests.Vendor;

/// <summary>
/// The paid vendor on the lane, end to end: a silo on a fake clock sending over HTTPS to the Sandbox's vendor
/// (SpeedyIndex v2 shape), whose accounts have credits, whose tasks take two simulated hours, and whose reports read
/// the simulated index and pages. The hosts have no IndexNow key: the vendor is their only push.
/// </summary>
[Collection(nameof(IndexCheckSilo))]
public sealed class VendorChannelTests(IndexCheckSilo cluster)
{
    private VendorSimulation Vendor => cluster.Sandbox.Vendor;

    private static string NewHost(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)] + ".example";

    private IChannelQuotaGrain Quota(string tenant, CredentialView account) =>
        cluster.Grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, VendorChannel.Name, account.Id));

    private async Task<string> SeenAsync(string tenant, CredentialView account) =>
        $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; vendor tasks "
        + $"{string.Join(" ", Vendor.Tasks.Where(t => t.ApiKey == Key(account)).Select(t => $"{t.Title}:{t.Urls.Count}"))}; "
        + SubmissionCluster.Describe(await Quota(tenant, account).GetQuotaAsync());

    private readonly Dictionary<string, string> keys = [];

    private string Key(CredentialView account) => keys[account.Id];

    private CredentialView NewAccount(string tenant, long credits, CredentialScope? scope = null)
    {
        var key = Vendor.CreateAccount(credits);
        var account = TestCredentials.AddVendor(tenant, key, scope);
        keys[account.Id] = key;
        return account;
    }

    private IEnumerable<VendorTask> TasksOf(CredentialView account) => Vendor.Tasks.Where(t => t.ApiKey == Key(account));

    [Fact]
    public async Task ABalanceThatRunsOutMidCampaign_PausesTheAccountVisibly_TheRestWait_AndGoAfterATopUp_NothingLostNorSentTwice()
    {
        var host = NewHost("drip");
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], "vendor");
        var account = NewAccount(tenant, credits: 30);
        var urls = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 50).Select(i => $"https://{host}/guest-post/{i}"));

        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 30
                && (await Quota(tenant, account).GetQuotaAsync()).State == QuotaStates.Parked,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, account));
        var paused = await Quota(tenant, account).GetQuotaAsync();
        Assert.Contains("balance too low (0 credits)", paused.StateDetail);
        Assert.Equal(0, paused.Balance);
        Assert.Equal(30, TasksOf(account).Sum(t => t.Urls.Count));
        var waiting = (await cluster.StatesAsync(tenant)).GetValueOrDefault("validated");
        Assert.Equal(20, waiting); // not failed: they wait for credits
        var backlinks = urls.Select(u => cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{u.Sha256}")).ToList();
        await cluster.WaitAsync(async () => (await Task.WhenAll(backlinks.Select(b => b.GetAsync())))
                .Count(v => v!.State == "validated" && v.WaitingFor?.Contains("balance too low") == true) == 20,
            TimeSpan.FromMinutes(1), async () => string.Join(" | ", (await Task.WhenAll(backlinks.Select(b => b.GetAsync()))).Select(v => v!.WaitingFor)));

        Assert.True(Vendor.TopUp(Key(account), 100));
        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddMinutes(31)); // the pause ends: the balance is read again
        await cluster.WaitAsync(async () => SubmissionCluster.Pushed(await cluster.StatesAsync(tenant)) == 50,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, account));

        var submitted = TasksOf(account).SelectMany(t => t.Urls).ToList();
        Assert.Equal(urls.Select(u => u.Value).Order(), submitted.Order()); // every URL exactly once
        Assert.Equal(80, Vendor.Balance(Key(account))!.Value.Indexer);
        Assert.Equal(80, (await Quota(tenant, account).GetQuotaAsync()).Balance);
    }

    [Fact]
    public async Task ALowBalance_IsAVisibleStateOfTheAccount()
    {
        var host = NewHost("low");
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], "vendor");
        var account = NewAccount(tenant, credits: 12, new CredentialScope(LowBalance: 10));
        await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 5).Select(i => $"https://{host}/p/{i}"));

        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 5, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, account));
        var quota = await Quota(tenant, account).GetQuotaAsync();
        Assert.Equal((QuotaStates.BalanceLow, 7L), (quota.State, quota.Balance));
        Assert.Contains("7 credits left", quota.StateDetail);
    }

    [Fact]
    public async Task OverloadedAnswers_AreTriedAgainLater_AndTheTaskIsCreatedOnce()
    {
        var host = NewHost("busy");
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], "vendor");
        var account = NewAccount(tenant, credits: 100);
        Vendor.ScriptCreates(2, -2);

        await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 10).Select(i => $"https://{host}/p/{i}"));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 10, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, account));

        var creates = Vendor.Requests.Where(r => r.ApiKey == Key(account) && r.Path.EndsWith("/create", StringComparison.Ordinal)).ToList();
        Assert.Equal([-2, -2, 0], creates.Select(r => r.Code ?? 99));
        Assert.Equal(10, Assert.Single(TasksOf(account)).Urls.Count);
    }

    [Fact]
    public async Task ATaskWhoseAnswerWasLost_IsFoundByItsTitle_AndNotCreatedTwice()
    {
        var host = NewHost("lost");
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], "vendor");
        var account = NewAccount(tenant, credits: 100);
        Vendor.ScriptCreates(1, VendorSimulation.CreatedButLost);

        await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 8).Select(i => $"https://{host}/p/{i}"));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 8, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, account));

        var task = Assert.Single(TasksOf(account));
        Assert.Equal(8, task.Urls.Count);
        Assert.Contains(Vendor.Requests, r => r.ApiKey == Key(account) && r.Path.Contains("/list/", StringComparison.Ordinal)); // looked up by title
        Assert.Equal(92, Vendor.Balance(Key(account))!.Value.Indexer);
    }

    [Fact]
    public async Task TheTaskReport_ReachesEachBacklink_MappedUrlByUrl()
    {
        var host = NewHost("report");
        var never = NewHost("never");
        var (tenant, campaign) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(2)], "vendor");
        var account = NewAccount(tenant, credits: 100);
        var site = cluster.Sandbox.Site(host);
        site.Article("/ok/1").Article("/ok/2").NoindexMeta("/hidden").Status("/gone", 410);
        cluster.Sandbox.Site(never).Article("/slow");
        cluster.Sandbox.Index.SlowHost(never, null); // pushed, never indexed
        string[] pages = [$"https://{host}/ok/1", $"https://{host}/ok/2", $"https://{host}/hidden", $"https://{host}/gone", $"https://{never}/slow"];
        var urls = await cluster.CollectAsync(tenant, campaign, pages);
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 5, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, account));
        var taken = cluster.Clock.GetUtcNow();
        Assert.Equal(5, (await Quota(tenant, account).GetQuotaAsync()).AwaitingReport);

        // Asked at +30 min (not done: the vendor takes 2 h; asked again within the hour after), then at +6 h: done.
        await cluster.JumpToAsync(taken.AddMinutes(31));
        await cluster.WaitAsync(async () => await cluster.BacklinksWithEventAsync(tenant, "backlink.index-checked.v1") == 0
                && Vendor.Requests.Any(r => r.ApiKey == Key(account) && r.Path.EndsWith("/status", StringComparison.Ordinal)),
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, account));
        await cluster.JumpToAsync(taken.AddHours(6));
        await cluster.WaitAsync(async () => await cluster.StatesAsync(tenant) is var s && s.GetValueOrDefault("indexed") == 2
                && s.GetValueOrDefault("failed:noindex") == 1 && s.GetValueOrDefault("failed:http-not-found") == 1,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, account));

        var slow = (await cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[4].Sha256}").GetAsync())!;
        Assert.Equal("submitted", slow.State); // one "not indexed" from the vendor is evidence only: the follow-up at +2 d decides
        Assert.Equal(1, await cluster.BacklinksWithEventAsync(tenant, "backlink.index-checked.v1", "\"verdict\":\"missed\"", "\"stage\":\"report\""));
        var indexed = (await cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[0].Sha256}").GetAsync())!;
        Assert.Equal(("indexed", "vendor"), (indexed.State, indexed.SubmittedVia));
        Assert.InRange(indexed.TimeToIndex!.Value, TimeSpan.FromHours(6), TimeSpan.FromHours(6.1)); // told by the report, at +6 h
        Assert.Equal(0, (await Quota(tenant, account).GetQuotaAsync()).AwaitingReport);
    }

    [Fact]
    public async Task WhatEachClientCost_IsTheSumOverItsAcceptedVendorSubmissions()
    {
        var (tenant, first) = await cluster.NewCampaignAsync("acme", [TimeSpan.FromDays(1)], "vendor");
        var second = await cluster.AddCampaignAsync(tenant, "acme", [TimeSpan.FromDays(1)], "vendor");
        var other = await cluster.AddCampaignAsync(tenant, "globex", [TimeSpan.FromDays(1)], "vendor");
        var account = NewAccount(tenant, credits: 1000, new CredentialScope(CostPerUrl: 0.035m));
        var host = NewHost("cost");
        await cluster.CollectAsync(tenant, first, Enumerable.Range(0, 7).Select(i => $"https://{host}/a/{i}"));
        await cluster.CollectAsync(tenant, second, Enumerable.Range(0, 4).Select(i => $"https://{host}/b/{i}"));
        await cluster.CollectAsync(tenant, other, Enumerable.Range(0, 9).Select(i => $"https://{host}/c/{i}"));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 20, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, account));

        var costs = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<CostQueries>();
        var clients = await costs.ClientsAsync(tenant, CancellationToken.None);
        Assert.Equal(["acme", "globex"], clients.Select(c => c.Client));
        Assert.Equal((11 * 0.035m, 11L), (clients[0].Total, clients[0].Submissions));
        Assert.Equal((9 * 0.035m, 9L), (clients[1].Total, clients[1].Submissions));
        Assert.Equal(7 * 0.035m, clients[0].Campaigns.Single(c => c.CampaignId == first).Total);
        // The sum over the accepted submissions recorded on the backlinks, as an audit would add it up.
        Assert.Equal(20, await cluster.BacklinksWithEventAsync(tenant, "backlink.submission-attempted.v1", "\"accepted\":true", "\"cost\":0.035"));
    }
}
