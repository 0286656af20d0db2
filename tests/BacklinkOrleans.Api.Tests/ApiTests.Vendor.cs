using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The paid vendor through the API: an account from the Sandbox's vendor, its balance and price, what each client cost, drip and ETA.</summary>
public abstract partial class ApiTests
{
    [Fact]
    public async Task AVendorAccount_SubmitsHostsNoKeyCovers_AndEachClientsCostAndTheAccountsBalanceAreShown()
    {
        var sandbox = api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server;
        var host = $"paid-{Guid.NewGuid():N}"[..14] + ".example";
        sandbox.Site(host).Article("/a").Article("/b").Article("/c");
        var (_, client) = await api.NewTenantAsync();
        using var opened = await api.Operator().PostAsJsonAsync("/sandbox/engines/vendor/accounts", new { indexer = 50 });
        var apiKey = (await opened.Content.ReadFromJsonAsync<JsonNode>())!["apiKey"]!.GetValue<string>();
        var credential = await client.AddCredentialAsync(CredentialRequests.Vendor(apiKey));
        using (var price = await client.PostAsJsonAsync("/api/v1/credentials", new Dictionary<string, object?>
               {
                   ["kind"] = "vendor", ["label"] = "priced", ["apiKey"] = apiKey, ["costPerUrl"] = -1,
               }))
            Assert.Contains("costPerUrl", (await price.ValidationErrorsAsync()).Keys); // a price is a number from 0
        using (var verified = await client.PostAsync($"/api/v1/credentials/{credential.Id}/verify", null))
            Assert.Contains("50 indexer credits", await verified.Content.ReadAsStringAsync());
        using var created = await client.PostAsJsonAsync("/api/v1/campaigns", new CreateCampaignRequest("paid", "Globex", ["vendor"], null, null, null, null));
        var campaign = (await created.Content.ReadFromJsonAsync<CampaignView>())!;

        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/a\nhttps://{host}/b\nhttps://{host}/c\n", "text/csv");

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await client.CampaignAsync(campaign.Id)).Counters.SingleOrDefault(c => c.State == "submitted")?.Count != 3 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        var quota = (await client.GetFromJsonAsync<CredentialQuota>($"/api/v1/quotas/{credential.Id}"))!;
        Assert.Equal(("vendor", 47L, 3), (quota.Channel, quota.Balance, quota.AwaitingReport));
        var clients = (await client.GetFromJsonAsync<List<ClientCost>>("/api/v1/costs/clients"))!;
        var globex = Assert.Single(clients);
        Assert.Equal(("Globex", 3 * 0.02m, 3L), (globex.Client, globex.Total, globex.Submissions)); // Submission:Vendor:CostPerUrl by default
        Assert.Equal(3 * 0.02m, Assert.Single(globex.Campaigns).Total);
    }

    [Fact]
    public async Task ADripFeed_IsSetAndChangedThroughTheApi_AndTheCampaignShowsItsEta()
    {
        var (_, client) = await api.NewTenantAsync();
        using var refused = await client.PostAsJsonAsync("/api/v1/campaigns", new CreateCampaignRequest("drip", "Acme", null, null, null, null, null, DripDays: 31));
        Assert.Contains("DripDays", (await refused.ValidationErrorsAsync()).Keys);
        using var created = await client.PostAsJsonAsync("/api/v1/campaigns", new CreateCampaignRequest("drip", "Acme", null, null, null, null, null, DripDays: 5));
        var campaign = (await created.Content.ReadFromJsonAsync<CampaignView>())!;
        Assert.Equal(5, campaign.Settings.DripDays);

        using var bad = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaign.Id}/drip", new SetDripRequest(0));
        Assert.Contains("days", (await bad.ValidationErrorsAsync()).Keys);
        using var changed = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaign.Id}/drip", new SetDripRequest(3));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var view = await client.CampaignAsync(campaign.Id);
        Assert.Equal(3, view.Settings.DripDays);
        Assert.Equal((0L, "every URL is submitted (or failed)"), (view.Eta!.Remaining, view.Eta.Basis));
        using var missing = await client.PostAsJsonAsync($"/api/v1/campaigns/no-such-campaign/drip", new SetDripRequest(3));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
