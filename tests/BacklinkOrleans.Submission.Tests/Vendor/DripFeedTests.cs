using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Tests.Checks;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Tests.Vendor;

/// <summary>
/// Drip-feed on every channel: a campaign spreading 1,000 URLs over 5 days submits 200 a day, through IndexNow and
/// through the paid vendor alike. The fake clock is moved a day at a time (to a minute before the next day's first
/// slot): every slot due by then is released, and the engines' own records are counted by day.
/// </summary>
[Collection(nameof(IndexCheckSilo))]
public sealed class DripFeedTests(IndexCheckSilo cluster)
{
    private const int Urls = 1_000;
    private const int Days = 5;

    [Fact]
    public async Task AThousandUrlsOverFiveDays_AreSubmitted200ADay_OnIndexNowAndOnTheVendor()
    {
        var tenant = $"t{Guid.NewGuid():N}"[..12];
        var keyed = $"drip-{Guid.NewGuid():N}"[..14] + ".example";
        var unkeyed = $"dripv-{Guid.NewGuid():N}"[..15] + ".example";
        cluster.AddKey(tenant, keyed);
        var vendorKey = cluster.Sandbox.Vendor.CreateAccount(Urls);
        TestCredentials.AddVendor(tenant, vendorKey);
        var viaIndexNow = await cluster.AddCampaignAsync(tenant, "acme", [TimeSpan.FromDays(10)], Days, "indexnow");
        var viaVendor = await cluster.AddCampaignAsync(tenant, "acme", [TimeSpan.FromDays(10)], Days, "vendor");

        await Task.WhenAll(
            cluster.CollectAsync(tenant, viaIndexNow, Enumerable.Range(0, Urls).Select(i => $"https://{keyed}/post/{i}")),
            cluster.CollectAsync(tenant, viaVendor, Enumerable.Range(0, Urls).Select(i => $"https://{unkeyed}/post/{i}")));

        List<DateTimeOffset> Sent() => [.. cluster.Sandbox.IndexNow.Submissions.Where(s => s.Accepted && s.Host == keyed).SelectMany(s => s.Urls.Select(_ => s.At))];
        List<DateTimeOffset> Bought() => [.. cluster.Sandbox.Vendor.Tasks.Where(t => t.ApiKey == vendorKey).SelectMany(t => t.Urls.Select(_ => t.CreatedAt))];
        async Task<string> SeenAsync() => $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; IndexNow {Sent().Count}, vendor {Bought().Count}";

        // The plan is made once the collection settles; its first slot goes at once on each channel.
        await cluster.WaitAsync(() => Task.FromResult(Sent().Count >= 1 && Bought().Count >= 1), TimeSpan.FromMinutes(1), SeenAsync);
        var start = Sent().Min() < Bought().Min() ? Sent().Min() : Bought().Min();
        await cluster.WaitAsync(async () => await cluster.BacklinksWithEventAsync(tenant, "backlink.waiting.v1", "drip-feed: released at") == 2 * (Urls - 1),
            TimeSpan.FromMinutes(1), SeenAsync);
        var eta = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<BacklinkOrleans.Backlinks.Campaigns.CampaignEtaService>();
        var estimates = new[] { (await eta.EstimateAsync(tenant, viaIndexNow, CancellationToken.None))!, (await eta.EstimateAsync(tenant, viaVendor, CancellationToken.None))! };

        for (var day = 1; day <= Days; day++)
        {
            await cluster.JumpToAsync(start + TimeSpan.FromDays(day) - TimeSpan.FromMinutes(1));
            var due = Math.Min(Urls, day * 200);
            await cluster.WaitAsync(() => Task.FromResult(Sent().Count >= due && Bought().Count >= due), TimeSpan.FromMinutes(1), SeenAsync);
        }

        foreach (var (channel, times) in new[] { ("indexnow", Sent()), ("vendor", Bought()) })
        {
            Assert.Equal(Urls, times.Count);
            var perDay = Enumerable.Range(0, Days).Select(d => times.Count(t => t >= start + TimeSpan.FromDays(d) && t < start + TimeSpan.FromDays(d + 1))).ToList();
            Assert.All(perDay, n => Assert.InRange(n, 199, 201));
        }
        // The completion estimate made at the start is within one window (a day) of what happened, and the last check follows it.
        foreach (var (estimate, last) in estimates.Zip([Sent().Max(), Bought().Max()]))
        {
            Assert.InRange(estimate.LastSubmissionAt!.Value, last - TimeSpan.FromDays(1), last + TimeSpan.FromDays(1));
            Assert.Equal(estimate.LastSubmissionAt + TimeSpan.FromDays(10), estimate.LastCheckAt);
        }
        Assert.Equal(Urls, cluster.Sandbox.Vendor.SubmittedUrls().Count(u => u.Key.Contains(unkeyed, StringComparison.Ordinal)));
        // Every backlink but each plan's first waited for a slot of its own, one interval (7.2 minutes) after the one before.
        Assert.Equal(2 * (Urls - 1), await cluster.BacklinksWithEventAsync(tenant, "backlink.waiting.v1", "drip-feed: released at", "one every 7.2 min"));
    }

    [Fact]
    public async Task ChangingTheDripOfARunningCampaign_PlansTheRestAgain()
    {
        var tenant = $"t{Guid.NewGuid():N}"[..12];
        var host = $"replan-{Guid.NewGuid():N}"[..16] + ".example";
        var vendorKey = cluster.Sandbox.Vendor.CreateAccount(100);
        TestCredentials.AddVendor(tenant, vendorKey);
        var campaign = await cluster.AddCampaignAsync(tenant, "acme", [TimeSpan.FromDays(30)], 10, "vendor");
        await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 100).Select(i => $"https://{host}/post/{i}"));
        List<DateTimeOffset> Bought() => [.. cluster.Sandbox.Vendor.Tasks.Where(t => t.ApiKey == vendorKey).SelectMany(t => t.Urls.Select(_ => t.CreatedAt))];
        async Task<string> SeenAsync() => $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; vendor {Bought().Count}";
        await cluster.WaitAsync(async () => Bought().Count == 1
                && await cluster.BacklinksWithEventAsync(tenant, "backlink.waiting.v1", "released at", "over 10 day(s)") == 99,
            TimeSpan.FromMinutes(1), SeenAsync); // one every 2.4 h: 10 a day
        var start = Bought().Min();

        var changed = await cluster.Grains.GetGrain<ICampaignGrain>($"{tenant}/{campaign}").SetDripAsync(1);
        Assert.True(changed.Accepted, changed.RejectionMessage);
        await cluster.WaitAsync(async () => await cluster.BacklinksWithEventAsync(tenant, "backlink.waiting.v1", "released at", "over 1 day(s)") >= 98,
            TimeSpan.FromMinutes(1), SeenAsync); // the 99 still waiting, planned again: one every 14.5 min

        await cluster.JumpToAsync(start + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await cluster.WaitAsync(() => Task.FromResult(Bought().Count == 100), TimeSpan.FromMinutes(1), SeenAsync);
        Assert.Equal(100, cluster.Sandbox.Vendor.SubmittedUrls().Count(u => u.Key.Contains(host, StringComparison.Ordinal)));
    }
}
