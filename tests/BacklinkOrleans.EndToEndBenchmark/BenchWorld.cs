using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>
/// The simulated world of one run, set up through the Host's real HTTP API: a tenant, H hosts in the Sandbox each
/// serving articles and an IndexNow key file, the tenant's verified key for each, and a campaign on IndexNow.
/// </summary>
internal sealed class BenchWorld(HostProcess host, HttpClient tenant, string campaignId, IReadOnlyList<(string Host, string Key)> sites, HttpClient sandbox)
{
    public HostProcess Host => host;

    public HttpClient Tenant => tenant;

    public string CampaignId => campaignId;

    public IReadOnlyList<(string Host, string Key)> Sites => sites;

    /// <summary>Where the world is scripted: the Host's own Sandbox (its operator API), or a shared Sandbox's control API.</summary>
    public HttpClient Sandbox => sandbox;

    public static string HostName(int index) => string.Create(CultureInfo.InvariantCulture, $"site-{index:00000}.example");

    /// <summary>
    /// The world, scripted through <paramref name="sandbox"/> when the Hosts share a Sandbox process (its control
    /// API), else through <paramref name="host"/>'s own Sandbox.
    /// </summary>
    public static async Task<BenchWorld> CreateAsync(HostProcess host, int hosts, int latencyMs, HttpClient? sandbox = null)
    {
        sandbox ??= host.Operator;
        var tenantId = $"bench-{Guid.NewGuid():N}"[..16];
        using var created = await host.Operator.PostAsJsonAsync("/api/v1/tenants", new { id = tenantId, name = "Benchmark agency" });
        await EnsureAsync(created, "create the tenant");
        var apiKey = (await created.Content.ReadFromJsonAsync<JsonNode>())!["key"]!["apiKey"]!.GetValue<string>();
        var tenant = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        tenant.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

        using (var engine = await sandbox.PutAsJsonAsync("/sandbox/engines/indexnow", new { latencyMs }))
            await EnsureAsync(engine, "set the simulated engine's latency");

        var sites = Enumerable.Range(0, hosts).Select(i => (HostName(i), string.Create(CultureInfo.InvariantCulture, $"benchkey-{i:00000}-{Guid.NewGuid():N}"))).ToList();
        await Parallel.ForEachAsync(sites, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (site, ct) =>
        {
            await PublishSiteAsync(sandbox, site, ct);
            using var added = await tenant.PostAsJsonAsync("/api/v1/credentials", new { kind = "indexnow", host = site.Item1, key = site.Item2 }, ct);
            await EnsureAsync(added, $"add the key of {site.Item1}");
            var id = (await added.Content.ReadFromJsonAsync<JsonNode>(ct))!["id"]!.GetValue<string>();
            using var verified = await tenant.PostAsync($"/api/v1/credentials/{id}/verify", null, ct);
            await EnsureAsync(verified, $"verify the key of {site.Item1}");
            var status = (await verified.Content.ReadFromJsonAsync<JsonNode>(ct))!["status"]!.GetValue<string>();
            if (status != "verified")
                throw new InvalidOperationException($"The key of {site.Item1} is {status}, not verified.");
        });

        using var campaign = await tenant.PostAsJsonAsync("/api/v1/campaigns", new { name = "Benchmark", client = "Bench", channelPreference = new[] { "indexnow" } });
        await EnsureAsync(campaign, "create the campaign");
        var campaignId = (await campaign.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        return new BenchWorld(host, tenant, campaignId, sites, sandbox);
    }

    private const string Article = "<!doctype html><html><head><title>A guest post</title></head><body><h1>A guest post</h1>"
        + "<p>Read more at <a href=\"https://client.example/\">our client</a>.</p></body></html>";

    /// <summary>Publishes a site's articles and its IndexNow key file in a Sandbox.</summary>
    private static async Task PublishSiteAsync(HttpClient sandbox, (string Host, string Key) site, CancellationToken cancellationToken)
    {
        using (var fallback = await sandbox.PutAsync($"/sandbox/fallback/{site.Host}", new StringContent(Article), cancellationToken))
            await EnsureAsync(fallback, $"publish the articles of {site.Host}");
        using var file = await sandbox.PutAsync($"/sandbox/sites/{site.Host}/{site.Key}.txt", new StringContent(site.Key), cancellationToken);
        await EnsureAsync(file, $"publish the key file of {site.Host}");
    }

    /// <summary>The tenant's API, called through <paramref name="other"/> (any Host of the cluster).</summary>
    public HttpClient TenantOn(HostProcess other)
    {
        var client = new HttpClient { BaseAddress = other.Http.BaseAddress, Timeout = tenant.Timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", tenant.DefaultRequestHeaders.GetValues("X-Api-Key"));
        return client;
    }

    /// <summary>A CSV of <paramref name="count"/> article URLs spread over the hosts, with a target URL each.</summary>
    public byte[] Csv(int count, int first = 0)
    {
        var csv = new StringBuilder("url,target_url\n", count * 64);
        for (var i = first; i < first + count; i++)
            csv.Append(CultureInfo.InvariantCulture, $"https://{sites[i % sites.Count].Host}/post/{i}/a-guest-post,https://client.example/\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>The campaign's counters: state (and reason) → count; read through <paramref name="api"/> when given (another Host's).</summary>
    public async Task<Dictionary<string, long>> CountersAsync(HttpClient? api = null)
    {
        var campaign = (await (api ?? tenant).GetFromJsonAsync<JsonNode>($"/api/v1/campaigns/{campaignId}"))!;
        return campaign["counters"]!.AsArray().ToDictionary(
            c => c!["reason"] is JsonValue reason ? $"{c["state"]}:{reason}" : c!["state"]!.GetValue<string>(),
            c => c!["count"]!.GetValue<long>());
    }

    public async Task<JsonNode> RuntimeAsync(bool collect) =>
        (await host.Operator.GetFromJsonAsync<JsonNode>($"/ops/runtime?collect={(collect ? "true" : "false")}"))!;

    public async Task<JsonNode> IndexNowStatisticsAsync() => (await sandbox.GetFromJsonAsync<JsonNode>("/sandbox/engines/indexnow"))!;

    public async Task<int> SandboxHttpsPortAsync() => (await host.Operator.GetFromJsonAsync<JsonNode>("/sandbox"))!["httpsPort"]!.GetValue<int>();

    public static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
