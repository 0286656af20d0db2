using System.Net.Http.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>A campaign through routing, validation and IndexNow submission against the Sandbox's simulated world.</summary>
public sealed class ValidationCampaignTests(FastLifecycleApiFactory api) : IClassFixture<FastLifecycleApiFactory>
{
    [Fact]
    public async Task AMixedCampaign_EndsWithEachUrlInTheRightStateAndReason_FetchingRobotsOncePerHost_AndSubmitsTheGoodOnes()
    {
        var sandbox = api.Services.GetRequiredService<SandboxHost>().Server;
        var good = $"good-{Guid.NewGuid():N}.example";
        var down = $"down-{Guid.NewGuid():N}.example";
        sandbox.Site(good)
            .Robots("User-agent: *\nDisallow: /private\n")
            .Article("/post-1", "https://client.example/").Article("/post-2")
            .Status("/gone", 410)
            .NoindexMeta("/noindex-meta").NoindexHeader("/noindex-header")
            .Soft404("/soft")
            .Redirect("/moved", "https://elsewhere.example/landing")
            .Article("/private/post")
            .KeyFile("GoodKey-12345678");
        sandbox.Site(down).Unreachable = true;

        var (_, client) = await api.NewTenantAsync();
        foreach (var host in new[] { good, down })
        {
            await client.AddCredentialAsync(CredentialRequests.IndexNow(host, "GoodKey-12345678"));
        }
        var campaign = await client.CreateCampaignAsync();
        var expected = new Dictionary<string, (string State, string? Reason)>
        {
            [$"https://{good}/post-1"] = ("submitted", null),
            [$"https://{good}/post-2"] = ("submitted", null),
            [$"https://{good}/missing"] = ("failed", FailureReasons.HttpNotFound),
            [$"https://{good}/gone"] = ("failed", FailureReasons.HttpNotFound),
            [$"https://{good}/noindex-meta"] = ("failed", FailureReasons.Noindex),
            [$"https://{good}/noindex-header"] = ("failed", FailureReasons.Noindex),
            [$"https://{good}/soft"] = ("failed", FailureReasons.Soft404),
            [$"https://{good}/moved"] = ("failed", FailureReasons.RedirectOffHost),
            [$"https://{good}/private/post"] = ("failed", FailureReasons.RobotsDisallowed),
            [$"https://{down}/post"] = ("failed", FailureReasons.RobotsUnreachable),
            [$"https://uncovered-{Guid.NewGuid():N}.example/post"] = ("failed", FailureReasons.NoChannel),
        };

        var import = await client.ImportAsync(campaign.Id, "url\n" + string.Join('\n', expected.Keys), "text/csv");
        Assert.Equal(expected.Count, import.Accepted);

        foreach (var (url, (state, reason)) in expected)
        {
            var view = await WaitForSettledAsync(client, UrlNormalizer.Normalize(url).Sha256);
            Assert.True((state, reason) == (view.State, view.Reason), $"{url}: expected {state}/{reason}, got {view.State}/{view.Reason} ({view.ReasonDetail})");
        }
        Assert.Single(sandbox.Log.For(good, "/robots.txt")); // one fetch for the whole host
        Assert.Empty(sandbox.Log.For(good, "/private/post")); // blocked by robots.txt: never fetched
        var events = (await client.GetFromJsonAsync<List<BacklinkEventView>>($"/api/v1/backlinks/{UrlNormalizer.Normalize($"https://{good}/private/post").Sha256}/events"))!;
        Assert.Contains("Disallow: /private", events.Last().Data.GetProperty("detail").GetString()); // the evidence names the rule

        // The two good URLs went to IndexNow once each; the attempt is on each backlink; the quota shows it.
        var sent = sandbox.IndexNow.Submissions.Where(s => s.Host == good).ToList();
        Assert.All(sent, s => Assert.Equal(200, s.Status));
        Assert.Equal([$"https://{good}/post-1", $"https://{good}/post-2"], sent.SelectMany(s => s.Urls).Order());
        var history = (await client.GetFromJsonAsync<List<BacklinkEventView>>($"/api/v1/backlinks/{UrlNormalizer.Normalize($"https://{good}/post-1").Sha256}/events"))!;
        var attempt = Assert.Single(history, e => e.Type == "backlink.submission-attempted.v1");
        Assert.Equal(("indexnow", 200, "accepted"), (attempt.Data.GetProperty("channel").GetString(), attempt.Data.GetProperty("status").GetInt32(),
            attempt.Data.GetProperty("outcome").GetString()));
        Assert.StartsWith("key:", attempt.Data.GetProperty("credentialFingerprint").GetString());
        var quotas = (await client.GetFromJsonAsync<List<Submission.Contracts.CredentialQuota>>("/api/v1/quotas"))!;
        var quota = Assert.Single(quotas, q => q.Scope == good);
        Assert.Equal((10_000, 2, 0, 9_998, "ok"), (quota.Limit, quota.Used, quota.Reserved, quota.Remaining, quota.State));
        Assert.Equal(("indexnow", 2), (quota.Channel, Assert.Single(quota.Windows).Used));
        Assert.Equal(0, Assert.Single(quotas, q => q.Scope == down).Used);
    }

    [Fact]
    public async Task ARobotsTxtAnswering503_KeepsTheUrlWaitingWithItsReason_ThenFailsRobotsUnreachable_AfterThreeFetches()
    {
        var sandbox = api.Services.GetRequiredService<SandboxHost>().Server;
        var host = $"robots-503-{Guid.NewGuid():N}.example";
        sandbox.Site(host).RobotsStatus(503).Article("/post");
        var (_, client) = await api.NewTenantAsync();
        await client.AddCredentialAsync(CredentialRequests.IndexNow(host, "GoodKey-12345678"));
        var campaign = await client.CreateCampaignAsync();
        var sha = UrlNormalizer.Normalize($"https://{host}/post").Sha256;

        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/post\n", "text/csv");
        var view = await WaitForSettledAsync(client, sha);

        Assert.Equal(("failed", FailureReasons.RobotsUnreachable), (view.State, view.Reason));
        Assert.Contains("3 unreadable fetches", view.ReasonDetail);
        Assert.Equal(3, sandbox.Log.For(host, "/robots.txt").Count);
        Assert.Empty(sandbox.Log.For(host, "/post")); // nothing is fetched while robots.txt cannot be read
        // Before failing, the URL waited visibly: each wait says why and until when.
        var events = (await client.GetFromJsonAsync<List<BacklinkEventView>>($"/api/v1/backlinks/{sha}/events"))!;
        var waits = events.Where(e => e.Data.TryGetProperty("step", out var step) && step.GetString() == "validate").ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w =>
        {
            Assert.Contains("robots.txt unreadable for now", w.Data.GetProperty("reason").GetString());
            Assert.True(w.Data.GetProperty("until").GetDateTimeOffset() > w.RecordedAt);
        });
    }

    private static async Task<BacklinkView> WaitForSettledAsync(HttpClient client, string sha256)
    {
        BacklinkView view;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            view = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha256}"))!;
            if (view.State is "submitted" or "failed")
                return view;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return view;
    }

    [Fact]
    public async Task ASitemapIndex_HasItsChildSitemapsFetchedAndImported_NestedOnceMore()
    {
        var sandbox = api.Services.GetRequiredService<SandboxHost>().Server;
        var host = $"sitemaps-{Guid.NewGuid():N}.example";
        static string UrlSet(params string[] urls) =>
            "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">" + string.Concat(urls.Select(u => $"<url><loc>{u}</loc></url>")) + "</urlset>";
        static string Index(params string[] urls) =>
            "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">" + string.Concat(urls.Select(u => $"<sitemap><loc>{u}</loc></sitemap>")) + "</sitemapindex>";
        sandbox.Site(host)
            .Page("/sitemap-1.xml", new SimulatedPage(200, UrlSet($"https://{host}/a", $"https://{host}/b", $"https://{host}/c"), "application/xml"))
            .Page("/sitemap-2.xml", new SimulatedPage(200, UrlSet($"https://{host}/d", $"https://{host}/a"), "application/xml", Gzip: true))
            .Page("/nested.xml", new SimulatedPage(200, Index($"https://{host}/sitemap-3.xml"), "application/xml"))
            .Page("/sitemap-3.xml", new SimulatedPage(200, UrlSet($"https://{host}/e"), "application/xml"));
        sandbox.Site("gone-sitemaps.example").Unreachable = true;
        var (_, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();

        var upload = await client.ImportAsync(campaign.Id, Index($"https://{host}/sitemap-1.xml", $"https://{host}/sitemap-2.xml",
            $"https://{host}/nested.xml", "https://gone-sitemaps.example/sitemap.xml"), "application/xml");

        Assert.Equal(4, upload.QueuedSitemaps.Count);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.CampaignAsync(campaign.Id)).Backlinks < 5 && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(5, (await client.CampaignAsync(campaign.Id)).Backlinks); // a, b, c, d (a twice), e from the nested index
        Assert.Single(sandbox.Log.For(host, "/sitemap-3.xml"));
        Assert.Contains(sandbox.Log.All, r => r.Host == "gone-sitemaps.example"); // tried, failed, recorded; the others went on
    }
}
