using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Web.Tests;

/// <summary>
/// One Host process in Sandbox mode for the browser tests: a tenant, a simulated guest blog (two articles, a page gone
/// with 410, a noindex page, the IndexNow key file), its verified key, a SERP checker, and an empty campaign.
/// </summary>
public sealed class WebHostFixture : IAsyncLifetime
{
    private TempFolder folder = null!;

    public HostProcess Host { get; private set; } = null!;

    public string TenantKey { get; private set; } = "";

    public string CampaignId { get; private set; } = "";

    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-web-");
        Host = await HostProcess.StartAsync(new HostProcess.Settings(folder.Path, null)
        {
            Environment = new Dictionary<string, string> { ["Sandbox__Enabled"] = "true", ["Backlinks__SweepPeriod"] = "00:00:02" },
        });
        var tenant = await PostAsync(Host.Operator, "/api/v1/tenants", new { id = "northwind", name = "Northwind Agency" });
        TenantKey = (string)tenant["key"]!["apiKey"]!;
        Api = new HttpClient { BaseAddress = Host.Http.BaseAddress, DefaultRequestHeaders = { { "X-Api-Key", TenantKey } } };
        const string article = "<html><body><a href=\"https://client.example/\">the client</a></body></html>";
        foreach (var (path, body) in new[]
        {
            ("acme-review?contentType=text/html", article), ("acme-interview?contentType=text/html", article), ("old-post?status=410", "gone"),
            ("hidden?contentType=text/html", "<meta name=\"robots\" content=\"noindex\">"), ("f3a9c0d1e2b34a5c.txt", "f3a9c0d1e2b34a5c"),
        })
            using (var put = await Host.Operator.PutAsync($"/sandbox/sites/guest-blog.example/{path}", new StringContent(body)))
                put.EnsureSuccessStatusCode();
        var credential = await PostAsync(Api, "/api/v1/credentials", new { kind = "indexnow", host = "guest-blog.example", key = "f3a9c0d1e2b34a5c" });
        await PostAsync(Api, $"/api/v1/credentials/{credential["id"]}/verify", new { });
        var serp = await PostAsync(Host.Operator, "/sandbox/engines/serp/keys", new { });
        await PostAsync(Api, "/api/v1/credentials", new { kind = "serp", apiKey = (string)serp["apiKey"]! });
        CampaignId = (string)(await PostAsync(Api, "/api/v1/campaigns", new { name = "Q4 guest posts", client = "Acme" }))["id"]!;
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Host.DisposeAsync();
        await folder.DisposeAsync();
    }

    public static async Task<JsonNode> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }
}
