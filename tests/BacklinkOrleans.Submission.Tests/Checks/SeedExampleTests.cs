using Microsoft.Extensions.DependencyInjection;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Submission.Tests.Checks;

/// <summary>A silo that validates pages for real (robots.txt, the page probe) against the Sandbox.</summary>
public sealed class ValidatingSilo() : SubmissionCluster(1, realValidation: true);

[CollectionDefinition(nameof(ValidatingSilo))]
public sealed class ValidatingSiloCollection : ICollectionFixture<ValidatingSilo>;

/// <summary>
/// The seed's worked example, in the Sandbox on a fake clock: 150 guest-post URLs on 50 hosts; 12 already indexed; 3
/// hosts whose robots.txt blocks the routed crawler (9 URLs); 118 indexed at the first check; the 11 missing URLs, on
/// 2 slow hosts, re-submitted through the next channel (Google, whose property covers them) after the last follow-up.
/// </summary>
[Collection(nameof(ValidatingSilo))]
public sealed class SeedExampleTests(ValidatingSilo cluster)
{
    [Fact]
    public async Task OneHundredFiftyGuestPosts_FromCollectionToRecovery()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var (tenant, campaign) = await cluster.NewCampaignAsync(CredentialKinds.IndexNow, CredentialKinds.Google);
        TestCredentials.AddSerp(tenant, cluster.Sandbox.Serp.CreateApiKey());
        var slow = new[] { ($"slow-a-{run}.example", 6), ($"slow-b-{run}.example", 5) };
        var blocking = Enumerable.Range(0, 3).Select(i => ($"blocked-{i}-{run}.example", 3)).ToList();
        var normal = Enumerable.Range(0, 45).Select(i => ($"guest-{i}-{run}.example", i < 40 ? 3 : 2)).ToList();
        var hosts = slow.Concat(blocking).Concat(normal).ToList();
        Assert.Equal((50, 150), (hosts.Count, hosts.Sum(h => h.Item2)));

        var urls = new List<string>();
        foreach (var (host, count) in hosts)
        {
            cluster.AddKey(tenant, host);
            for (var i = 0; i < count; i++)
            {
                cluster.Sandbox.Site(host).Article($"/guest-post-{i}", "https://client.example/");
                urls.Add($"https://{host}/guest-post-{i}");
            }
        }
        foreach (var (host, _) in blocking)
            cluster.Sandbox.Site(host).Robots("User-agent: bingbot\nDisallow: /\n");
        var alreadyIndexed = normal.Take(12).Select(h => $"https://{h.Item1}/guest-post-0").ToList();
        foreach (var url in alreadyIndexed)
            cluster.Sandbox.Index.MarkIndexed(url, cluster.Clock.GetUtcNow().AddDays(-30));
        foreach (var (host, _) in slow)
            cluster.Sandbox.Index.SlowHost(host, null); // Bing takes these pages, Google never indexes them from IndexNow
        var json = cluster.Sandbox.Google.CreateServiceAccount($"seed-{run}");
        foreach (var (host, _) in slow)
            cluster.Sandbox.Google.AddOwner($"sc-domain:{host}", GoogleSimulation.EmailOf(json));
        TestCredentials.AddGoogle(tenant, json, [.. slow.Select(s => $"sc-domain:{s.Item1}")]);
        TestCredentials.Switch(tenant, CredentialKinds.Google, on: true);

        await cluster.CollectAsync(tenant, campaign, urls);
        await cluster.WaitAsync(async () => await cluster.StatesAsync(tenant) is var s
                && s.GetValueOrDefault("indexed:already-indexed") == 12 && s.GetValueOrDefault("failed:robots-disallowed") == 9
                && s.GetValueOrDefault("submitted") == 129,
            TimeSpan.FromMinutes(2), () => SeenAsync(tenant));
        var accepted = cluster.Clock.GetUtcNow();
        Assert.DoesNotContain(cluster.Sandbox.IndexNow.Submissions.Where(s => s.Accepted).SelectMany(s => s.Urls), alreadyIndexed.Contains);

        // The first follow-up (+1 h): what IndexNow's engines took 30 minutes ago is indexed; the slow hosts' pages are not.
        await cluster.JumpToAsync(accepted.AddHours(1).AddMinutes(1));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("indexed") == 118, TimeSpan.FromMinutes(2),
            () => SeenAsync(tenant));
        var first = await cluster.StatesAsync(tenant);
        Assert.Equal(11, first.GetValueOrDefault("submitted"));

        // The last follow-up (+24 h): still not indexed → submitted again through the next covering channel, Google.
        await cluster.JumpToAsync(accepted.AddDays(1).AddMinutes(1));
        await cluster.WaitAsync(async () => await cluster.BacklinksWithEventAsync(tenant, "backlink.recovery-started.v1", "\"channel\":\"google\"") == 11
                && cluster.Sandbox.Google.Publications.Count(p => p.Accepted && p.Url!.Contains("slow-", StringComparison.Ordinal) && p.Url.Contains(run, StringComparison.Ordinal)) == 11
                && (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 11,
            TimeSpan.FromMinutes(2), () => SeenAsync(tenant));
        var last = await cluster.StatesAsync(tenant);
        Assert.Equal((12, 118, 9, 11), (last["indexed:already-indexed"], last["indexed"], last["failed:robots-disallowed"], last["submitted"]));
        Assert.Equal(150, last.Values.Sum());

        // The same numbers as the API answers them (GET /api/v1/campaigns/{id} reads its counters through this query).
        var queries = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<BacklinkOrleans.Backlinks.ReadModels.BacklinkQueries>();
        var view = (await queries.GetCampaignAsync(tenant, campaign, CancellationToken.None))!;
        Assert.Equal(150, view.Backlinks);
        Assert.Equal([("failed", "robots-disallowed", 9L), ("indexed", null, 118L), ("indexed", "already-indexed", 12L), ("submitted", null, 11L)],
            view.Counters.Select(c => (c.State, c.Reason, c.Count)).OrderBy(c => c.State).ThenBy(c => c.Reason ?? "").ToList());
    }

    private async Task<string> SeenAsync(string tenant) =>
        $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; SERP {cluster.Sandbox.Serp.Statistics()}; "
        + $"IndexNow {cluster.Sandbox.IndexNow.Statistics()}";
}
