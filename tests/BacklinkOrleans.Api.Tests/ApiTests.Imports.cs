using System.Net;
using System.Net.Http.Json;
using System.Text;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The API's imports: CSV at scale, sitemaps, uploads, and unreadable input.</summary>
public abstract partial class ApiTests
{
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

    /// <summary>An IndexNow key for each host (they are not verified, and no key file is served): no URL of them fails with no-channel.</summary>
    private static async Task AddIndexNowKeysAsync(HttpClient client, params string[] hosts)
    {
        foreach (var host in hosts)
            await client.AddCredentialAsync(CredentialRequests.IndexNow(host, IndexNowKeyOf(host)));
    }

    private static string IndexNowKeyOf(string host) => $"key-{host.Replace('.', '-')}";

    private static async Task WaitForStateAsync(HttpClient client, string sha256, string state)
    {
        BacklinkView? view = null;
        for (var i = 0; i < 300; i++)
        {
            view = await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha256}");
            if (view?.State == state)
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"{sha256} never became {state}; last seen {view?.State}/{view?.Reason} ({view?.ReasonDetail}), waiting for {view?.WaitingFor}");
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
}
