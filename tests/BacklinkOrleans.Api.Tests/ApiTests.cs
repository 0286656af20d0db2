using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The API's behaviour, the same on both storage profiles.</summary>
public abstract class ApiTests(ApiFactory api)
{
    [Fact]
    public async Task EveryTenantRoute_WithoutAKey_Answers401_AsAProblem()
    {
        using var response = await api.Anonymous().GetAsync("/api/v1/campaigns");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key", await response.Content.ReadAsStringAsync());

        using var wrong = await api.WithKey("blk_000000000000_not-a-real-secret").GetAsync("/api/v1/campaigns");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task ATenantKey_CannotAdministerTenants()
    {
        var (_, client) = await api.NewTenantAsync();
        using var response = await client.GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnotherTenantsCampaignsAndBacklinks_AreNotFound()
    {
        var (_, owner) = await api.NewTenantAsync();
        var (_, stranger) = await api.NewTenantAsync();
        var campaign = await owner.CreateCampaignAsync();
        await owner.ImportAsync(campaign.Id, """[{"url":"https://guest-blog.example/private-post"}]""", "application/json");
        var hash = UrlNormalizer.Normalize("https://guest-blog.example/private-post").Sha256;

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/v1/backlinks/{hash}")).StatusCode);
        foreach (var path in new[] { $"/api/v1/campaigns/{campaign.Id}", $"/api/v1/campaigns/{campaign.Id}/backlinks", $"/api/v1/backlinks/{hash}", $"/api/v1/backlinks/{hash}/events" })
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/v1/campaigns/{campaign.Id}/pause", null)).StatusCode);
        Assert.DoesNotContain(await stranger.GetFromJsonAsync<List<CampaignView>>("/api/v1/campaigns") ?? [], c => c.Id == campaign.Id);
    }

    [Fact]
    public async Task ATenThousandRowCsv_WithDuplicatesAndBrokenRows_GivesExactCounts_AndCountersEqualAReplay()
    {
        var (tenant, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();
        var csv = new StringBuilder("\uFEFFurl;anchor;priority\n");
        var expectedErrors = new List<(long Row, string Field)>();
        for (var i = 0; i < 10_000; i++)
        {
            var row = i + 2;
            switch (i % 100)
            {
                case 7: csv.Append("not a url;x;1\n"); expectedErrors.Add((row, "url")); break;
                case 8: csv.Append($"https://guest-blog.example/p/{i};x;500\n"); expectedErrors.Add((row, "priority")); break;
                case 9: csv.Append("ftp://files.example/a;;\n"); expectedErrors.Add((row, "url")); break;
                case 10: csv.Append($"HTTPS://Guest-Blog.example:443/p/{i - 4};dup;\n"); break; // the URL of an accepted row, spelled differently
                default: csv.Append($"https://guest-blog.example/p/{i};anchor {i};{i % 100}\n"); break;
            }
        }

        var result = await client.ImportAsync(campaign.Id, csv.ToString(), "text/csv");

        Assert.Equal(10_000, result.Rows);
        Assert.Equal(9_600, result.Accepted);
        Assert.Equal(100, result.Duplicate);
        Assert.Equal(300, result.Rejected);
        Assert.Equal(expectedErrors, result.Errors.Select(e => (e.Row, e.Field)));
        Assert.Equal(9_600, (await client.CampaignAsync(campaign.Id)).Backlinks);

        // The tenant has no credentials: every URL is routed to no channel and fails. Once that has settled,
        // the inline counters must equal an independent replay of the log.
        var view = await WaitForCountersAsync(client, campaign.Id, c => c.Count == 1 && c[0] is { State: "failed", Reason: FailureReasons.NoChannel, Count: 9_600 });
        var replayed = await ReplayedCountersAsync(tenant, campaign.Id);
        Assert.Equal(replayed.OrderBy(r => r.Key.State).ToList(), view.Counters.ToDictionary(c => (c.State, c.Reason), c => c.Count).OrderBy(r => r.Key.State).ToList());
        Assert.Equal(9_600, replayed.Values.Sum());
    }

    private static async Task<CampaignView> WaitForCountersAsync(HttpClient client, string campaign, Func<IReadOnlyList<CampaignCounter>, bool> settled)
    {
        CampaignView view;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        do
        {
            view = await client.CampaignAsync(campaign);
            if (settled(view.Counters))
                return view;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"counters never settled: {string.Join(", ", view.Counters)}");
    }

    /// <summary>A vendor key covers every host: no URL fails with no-channel.</summary>
    private static async Task AddVendorKeyAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/credentials",
            new BacklinkOrleans.Accounts.Contracts.AddCredentialRequest("vendor", null, null, null, null, null, null, null, "vendor-key-123456"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task WaitUntilValidatedAsync(HttpClient client, string sha256)
    {
        for (var i = 0; i < 200 && (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha256}"))!.State != "validated"; i++)
            await Task.Delay(100);
    }

    /// <summary>
    /// The campaign's counters computed independently of the projection: every backlink stream of the tenant folded
    /// from the global log with the aggregate's own Evolve, counted per campaign membership, state and reason.
    /// </summary>
    private async Task<Dictionary<(string State, string? Reason), long>> ReplayedCountersAsync(string tenant, string campaign)
    {
        var store = api.Services.GetRequiredService<IEventStore>();
        var registry = api.Services.GetRequiredService<EventTypeRegistry>();
        var states = new Dictionary<string, BacklinkState>();
        for (long after = 0; ;)
        {
            var page = await store.ReadAllAsync(after, 5_000);
            if (page.Count == 0)
                break;
            foreach (var e in page.Where(e => e.StreamId.StartsWith($"backlink/{tenant}/", StringComparison.Ordinal)))
                states[e.StreamId] = BacklinkState.Evolve(states.GetValueOrDefault(e.StreamId) ?? BacklinkState.None.Instance, (IBacklinkEvent)registry.Deserialize(e));
            after = page[^1].Position;
        }
        return states.Values.Where(s => s.FactsOrNull!.Campaigns.Contains(campaign))
            .GroupBy(s => (s.Name, (s as BacklinkState.Failed)?.Reason))
            .ToDictionary(g => g.Key, g => g.LongCount());
    }

    [Fact]
    public async Task ASitemap_IsImported_AndASitemapIndexQueuesItsChildren()
    {
        var (_, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();

        var urlset = await client.ImportAsync(campaign.Id, """
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>https://news.example/a</loc></url><url><loc>https://news.example/b</loc></url><url><loc>javascript:alert(1)</loc></url>
            </urlset>
            """, "application/xml");
        var index = await client.ImportAsync(campaign.Id, """
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://news.example/sitemap-2.xml</loc></sitemap></sitemapindex>
            """, "text/xml");

        Assert.Equal((3L, 2L, 1L), (urlset.Rows, urlset.Accepted, urlset.Rejected));
        Assert.Equal(["https://news.example/sitemap-2.xml"], index.QueuedSitemaps);
        Assert.Contains(index.Notes, n => n.Contains("queued"));
    }

    [Fact]
    public async Task AMultipartFileUpload_IsImportedByItsFileName()
    {
        var (_, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("url\nhttps://forum.example/t/1\nhttps://forum.example/t/2\n"u8.ToArray());
        file.Headers.ContentType = new("application/octet-stream");
        form.Add(file, "file", "links.csv");

        using var response = await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/backlinks", form);

        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<ImportResult>())!.Accepted);
    }

    [Fact]
    public async Task UnreadableUploads_AreRefusedSayingWhy()
    {
        var (_, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();

        using var noUrl = await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/backlinks", new StringContent("link\nx\n", Encoding.UTF8, "text/csv"));
        using var pdf = await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/backlinks", new ByteArrayContent([1, 2]) { Headers = { ContentType = new("application/pdf") } });

        Assert.Equal(HttpStatusCode.BadRequest, noUrl.StatusCode);
        Assert.Contains("no 'url' column", await noUrl.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, pdf.StatusCode);
    }

    [Fact]
    public async Task History_ListsEveryEventInOrder_AndAsOfReplaysThePast()
    {
        var (_, client) = await api.NewTenantAsync();
        await AddVendorKeyAsync(client);
        var campaign = await client.CreateCampaignAsync();
        var other = await client.CreateCampaignAsync("second");
        var host = $"audited-{Guid.NewGuid():N}.example";
        api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server.Site(host).Article("/post");
        var url = $"https://{host}/post";
        var hash = UrlNormalizer.Normalize(url).Sha256;
        await client.ImportAsync(campaign.Id, $$"""[{"url":"{{url}}"}]""", "application/json");
        await WaitUntilValidatedAsync(client, hash);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await client.ImportAsync(other.Id, $$"""[{"url":"{{url}}"}]""", "application/json");
        var retired = await client.PostAsync($"/api/v1/backlinks/{hash}/retire", null);
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);

        var events = (await client.GetFromJsonAsync<List<BacklinkEventView>>($"/api/v1/backlinks/{hash}/events"))!;
        Assert.Equal(["backlink.collected.v1", "backlink.routed.v1", "backlink.validated.v1", "backlink.campaign-joined.v1", "backlink.retired.v1"],
            events.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.Version));

        var past = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{hash}?asOf={Uri.EscapeDataString(between.ToString("O"))}"))!;
        var now = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{hash}"))!;
        Assert.Equal((1, false, "validated"), (past.Campaigns.Count, past.Retired, past.State));
        Assert.Equal(["vendor"], past.Channels!);
        Assert.Equal((2, true), (now.Campaigns.Count, now.Retired));
        var before = await client.GetAsync($"/api/v1/backlinks/{hash}?asOf=2020-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
    }

    [Fact]
    public async Task CampaignControls_AreExplicit_AndACancelledCampaignTakesNoImports()
    {
        var (_, client) = await api.NewTenantAsync();
        var campaign = await client.CreateCampaignAsync();

        Assert.Equal("paused", (await (await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/pause", null)).Content.ReadFromJsonAsync<CampaignView>())!.Status);
        var again = await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/pause", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("already-paused", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/cancel", null)).StatusCode);

        using var import = await client.PostAsync($"/api/v1/campaigns/{campaign.Id}/backlinks", new StringContent("[]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, import.StatusCode);
    }

    [Fact]
    public async Task AnInvalidCampaign_IsAValidationProblemNamingEachField()
    {
        var (_, client) = await api.NewTenantAsync();
        using var response = await client.PostAsJsonAsync("/api/v1/campaigns",
            new CreateCampaignRequest("", null, ["indexnow", "bing"], 9, ["24h", "1h"], "2y", 101));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "Name", "ChannelPreference[1]", "RecoveryLimit", "FollowUpSchedule", "MonitoringHorizon", "Priority" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
    }

    [Fact]
    public async Task ListingFiltersByStateAndHost_AndPages()
    {
        var (_, client) = await api.NewTenantAsync();
        await AddVendorKeyAsync(client);
        var campaign = await client.CreateCampaignAsync();
        await client.ImportAsync(campaign.Id, "url\n" + string.Join("\n", Enumerable.Range(0, 12).Select(i => $"https://{(i % 3 == 0 ? "a" : "b")}.example/{i}")), "text/csv");

        var hostA = (await client.GetFromJsonAsync<BacklinkPage>($"/api/v1/campaigns/{campaign.Id}/backlinks?host=a.example&pageSize=3&page=2"))!;
        var failed = (await client.GetFromJsonAsync<BacklinkPage>($"/api/v1/campaigns/{campaign.Id}/backlinks?state=failed&reason=no-channel"))!;
        var bad = await client.GetAsync($"/api/v1/campaigns/{campaign.Id}/backlinks?state=lost&pageSize=9999");

        Assert.Equal((4L, 1), (hostA.Total, hostA.Items.Count));
        Assert.All(hostA.Items, i => Assert.Equal("a.example", i.Host));
        Assert.Equal(0, failed.Total);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task ARevokedKey_IsRefused()
    {
        var (tenant, client) = await api.NewTenantAsync();
        var tenants = (await api.Operator().GetFromJsonAsync<List<BacklinkOrleans.Accounts.Contracts.TenantView>>("/api/v1/tenants"))!;
        var key = tenants.Single(t => t.Id == tenant).Keys.Single();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/campaigns")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Operator().DeleteAsync($"/api/v1/tenants/{tenant}/api-keys/{key.KeyId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/campaigns")).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheApi()
    {
        var document = await api.Anonymous().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/campaigns", "/api/v1/campaigns/{id}/backlinks", "/api/v1/backlinks/{sha256}/events", "/api/v1/tenants", "/api/v1/quotas" })
            Assert.Contains(path, document);
    }

    [Fact]
    public async Task ValidatedUrls_AreSubmittedToIndexNow_AndTheQuotaApiShowsTheKeysUse()
    {
        var sandbox = api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server;
        var host = $"quota-{Guid.NewGuid():N}"[..16] + ".example";
        sandbox.Site(host).Article("/one").Article("/two").KeyFile("QuotaKey-12345678");
        var (_, client) = await api.NewTenantAsync();
        using var added = await client.PostAsJsonAsync("/api/v1/credentials",
            new Accounts.Contracts.AddCredentialRequest("indexnow", null, host, "QuotaKey-12345678", null, null, null, null, null));
        var credential = (await added.Content.ReadFromJsonAsync<Accounts.Contracts.CredentialView>())!;
        var campaign = await client.CreateCampaignAsync();

        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/one\nhttps://{host}/two\n", "text/csv");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.CampaignAsync(campaign.Id)).Counters.SingleOrDefault(c => c.State == "submitted")?.Count != 2 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        var quota = (await client.GetFromJsonAsync<Submission.Contracts.CredentialQuota>($"/api/v1/quotas/{credential.Id}"))!;
        Assert.Equal((host, 10_000, 2, 0, 9_998, "ok", 0), (quota.Scope, quota.Limit, quota.Used, quota.Reserved, quota.Remaining, quota.State, quota.Queued));
        Assert.Equal(quota.Used, Assert.Single((await client.GetFromJsonAsync<List<Submission.Contracts.CredentialQuota>>("/api/v1/quotas"))!).Used);
        using var missing = await client.GetAsync("/api/v1/quotas/no-such-credential");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no-such-credential", await missing.Content.ReadAsStringAsync());
    }
}

public sealed class EmbeddedApiTests(EmbeddedApiFactory api) : ApiTests(api), IClassFixture<EmbeddedApiFactory>;

public sealed class ClusterApiTests(ClusterApiFactory api) : ApiTests(api), IClassFixture<ClusterApiFactory>;
