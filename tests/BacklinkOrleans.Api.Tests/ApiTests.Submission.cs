using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Submission seen through the API: the Sandbox's IndexNow takes validated URLs, and the Quota API shows the key's use.</summary>
public abstract partial class ApiTests
{
    [Fact]
    public async Task ValidatedUrls_AreSubmittedToIndexNow_AndTheQuotaApiShowsTheKeysUse()
    {
        var sandbox = api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server;
        var host = $"quota-{Guid.NewGuid():N}"[..16] + ".example";
        sandbox.Site(host).Article("/one").Article("/two").KeyFile("QuotaKey-12345678");
        var (_, client) = await api.NewTenantAsync();
        var credential = await client.AddCredentialAsync(CredentialRequests.IndexNow(host, "QuotaKey-12345678"));
        var campaign = await client.CreateCampaignAsync();

        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/one\nhttps://{host}/two\n", "text/csv");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.CampaignAsync(campaign.Id)).Counters.SingleOrDefault(c => c.State == "submitted")?.Count != 2 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        var quota = (await client.GetFromJsonAsync<Submission.Contracts.CredentialQuota>($"/api/v1/quotas/{credential.Id}"))!;
        Assert.Equal((host, 10_000, 2, 0, 9_998, "ok", 0), (quota.Scope, quota.Limit, quota.Used, quota.Reserved, quota.Remaining, quota.State, quota.Queued));
        Assert.Equal(("indexnow", "indexnow", credential.Fingerprint, (DateTimeOffset?)null), (quota.Channel, quota.Kind, quota.Fingerprint, quota.ParkedUntil));
        var window = Assert.Single(quota.Windows); // IndexNow: one window, the UTC day
        Assert.Equal(("utc-day", 10_000, 2, 9_998), (window.Window, window.Limit, window.Used, window.Remaining));
        var untilReset = window.ResetsAt - DateTimeOffset.UtcNow;
        Assert.True(window.ResetsAt.UtcDateTime.TimeOfDay == TimeSpan.Zero && untilReset > TimeSpan.Zero && untilReset <= TimeSpan.FromDays(1),
            $"the window resets at {window.ResetsAt:O}, not at the next UTC midnight");
        Assert.Equal((window.ResetsAt, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{window.ResetsAt:yyyy-MM-dd} 00:00 UTC")), (quota.WindowResetsAt, window.ResetsAtLocal));
        Assert.Equal(quota.Used, Assert.Single((await client.GetFromJsonAsync<List<Submission.Contracts.CredentialQuota>>("/api/v1/quotas"))!).Used);
        using var missing = await client.GetAsync("/api/v1/quotas/no-such-credential");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no-such-credential", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AKeyRefusedWith403_ThenFixedAndVerifiedAgain_IsUsedAtOnce_ForTheNextUrl()
    {
        var sandbox = api.Services.GetRequiredService<BacklinkOrleans.Sandbox.SandboxHost>().Server;
        var host = $"refix-{Guid.NewGuid():N}"[..16] + ".example";
        const string key = "RefixKey-12345678";
        sandbox.Site(host).Article("/before").Article("/after"); // no key file yet: IndexNow answers 403
        var (_, client) = await api.NewTenantAsync();
        var credential = await client.AddCredentialAsync(CredentialRequests.IndexNow(host, key));
        var campaign = await client.CreateCampaignAsync();

        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/before\n", "text/csv");
        await WaitForCountAsync(client, campaign.Id, "failed", 1);
        Assert.Equal("invalid", (await client.GetFromJsonAsync<Submission.Contracts.CredentialQuota>($"/api/v1/quotas/{credential.Id}"))!.State);

        // The user publishes the key file and verifies the key: the stored verification wakes the quota grain, so the
        // next URL is sent with the key at once (without it, the grain would refuse it from its cached lookup).
        sandbox.Site(host).KeyFile(key);
        using (var verify = await client.PostAsync($"/api/v1/credentials/{credential.Id}/verify", null))
            Assert.Contains("\"verified\"", await verify.Content.ReadAsStringAsync());
        await client.ImportAsync(campaign.Id, $"url\nhttps://{host}/after\n", "text/csv");
        await WaitForCountAsync(client, campaign.Id, "submitted", 1);

        Assert.Equal("ok", (await client.GetFromJsonAsync<Submission.Contracts.CredentialQuota>($"/api/v1/quotas/{credential.Id}"))!.State);
        Assert.Equal([403, 200], sandbox.IndexNow.Submissions.Where(s => s.Host == host).Select(s => s.Status));
    }

    private static async Task WaitForCountAsync(HttpClient client, string campaign, string state, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.CampaignAsync(campaign)).Counters.Where(c => c.State == state).Sum(c => c.Count) != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"never {count} {state}: {string.Join(", ", (await client.CampaignAsync(campaign)).Counters)}");
            await Task.Delay(200);
        }
    }
}
