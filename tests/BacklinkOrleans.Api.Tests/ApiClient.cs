using System.Net.Http.Json;
using System.Text;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Api.Tests;

internal static class ApiClient
{
    public static async Task<CampaignView> CreateCampaignAsync(this HttpClient client, string name = "Q4 guest posts")
    {
        using var response = await client.PostAsJsonAsync("/api/v1/campaigns", new CreateCampaignRequest(name, "Acme", null, null, null, null, null));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CampaignView>())!;
    }

    public static async Task<ImportResult> ImportAsync(this HttpClient client, string campaign, string body, string mediaType)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using var response = await client.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ImportResult>())!;
    }

    public static async Task<CampaignView> CampaignAsync(this HttpClient client, string campaign) =>
        (await client.GetFromJsonAsync<CampaignView>($"/api/v1/campaigns/{campaign}"))!;
}
