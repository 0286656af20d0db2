using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The API's behaviour, the same on both storage profiles.</summary>
public abstract partial class ApiTests(ApiFactory api)
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
    public async Task History_ListsEveryEventInOrder_AndAsOfReplaysThePast()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"audited-{Guid.NewGuid():N}.example";
        api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server.Site(host).Article("/post").KeyFile(IndexNowKeyOf(host));
        await AddIndexNowKeysAsync(client, host);
        var campaign = await client.CreateCampaignAsync();
        var other = await client.CreateCampaignAsync("second");
        var url = $"https://{host}/post";
        var hash = UrlNormalizer.Normalize(url).Sha256;
        await client.ImportAsync(campaign.Id, $$"""[{"url":"{{url}}"}]""", "application/json");
        await WaitForStateAsync(client, hash, "submitted");
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await client.ImportAsync(other.Id, $$"""[{"url":"{{url}}"}]""", "application/json");
        var retired = await client.PostAsync($"/api/v1/backlinks/{hash}/retire", null);
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);

        var events = (await client.GetFromJsonAsync<List<BacklinkEventView>>($"/api/v1/backlinks/{hash}/events"))!;
        Assert.Equal(["backlink.collected.v1", "backlink.routed.v1", "backlink.validated.v1", "backlink.submission-queued.v1",
            "backlink.submission-attempted.v1", "backlink.submitted.v1", "backlink.campaign-joined.v1", "backlink.retired.v1"], events.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L], events.Select(e => e.Version));

        var past = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{hash}?asOf={Uri.EscapeDataString(between.ToString("O"))}"))!;
        var now = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{hash}"))!;
        Assert.Equal((1, false, "submitted", "indexnow"), (past.Campaigns.Count, past.Retired, past.State, past.SubmittedVia));
        Assert.Equal(["indexnow"], past.Channels!);
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
            new CreateCampaignRequest("", null, ["indexnow", "bing"], 9, ["24h", "1h"], "2y", 101, null, "5m"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "Name", "ChannelPreference[1]", "RecoveryLimit", "FollowUpSchedule", "MonitoringHorizon", "Priority", "MonitorEvery" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
    }

    [Fact]
    public async Task ListingFiltersByStateAndHost_AndPages()
    {
        var (_, client) = await api.NewTenantAsync();
        await AddIndexNowKeysAsync(client, "a.example", "b.example");
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
}

public sealed class EmbeddedApiTests(EmbeddedApiFactory api) : ApiTests(api), IClassFixture<EmbeddedApiFactory>;

public sealed class ClusterApiTests(ClusterApiFactory api) : ApiTests(api), IClassFixture<ClusterApiFactory>;
