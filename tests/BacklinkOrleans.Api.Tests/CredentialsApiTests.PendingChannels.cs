using System.Net.Http.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Credentials of the Google channel and of the paid vendor.</summary>
public abstract partial class CredentialsApiTests
{
    private const string VendorKey = "vendor-secret-9f8e7d6c5b4a3";
    /// <summary>A service account of a new Cloud project the Sandbox's Google knows (a real RSA key), and a piece of its private key.</summary>
    private (string Json, string Email, string PrivateKeyPiece) NewServiceAccount()
    {
        var json = Sandbox.Google.CreateServiceAccount($"acme-{Guid.NewGuid():N}"[..16]);
        using var key = System.Text.Json.JsonDocument.Parse(json);
        var pem = key.RootElement.GetProperty("private_key").GetString()!;
        return (json, GoogleSimulation.EmailOf(json), pem.Split('\n')[3]);
    }

    [Fact]
    public async Task AnInvalidServiceAccount_IsAValidationProblemNamingEachField()
    {
        var (_, client) = await api.NewTenantAsync();

        using var badSa = await client.PostAsJsonAsync("/api/v1/credentials", CredentialRequests.Google("{\"type\":\"user\"}", ["example.com"]));

        var errors = await badSa.ValidationErrorsAsync();
        Assert.Contains("serviceAccountJson", errors.Keys);
        Assert.Contains("properties[0]", errors.Keys);
    }

    [Fact]
    public async Task NoServiceAccountKey_IsInPlainTextInTheDatabaseTheEventsTheLogsOrTheAnswers()
    {
        var (_, client) = await api.NewTenantAsync();
        var (json, email, privateKeyPiece) = NewServiceAccount();
        var google = await client.AddCredentialAsync(CredentialRequests.Google(json, ["sc-domain:acme.example"]));
        var answers = await client.GetStringAsync("/api/v1/credentials");

        await AssertNotInPlainTextAsync([privateKeyPiece], answers + google);
        Assert.Contains(email, answers); // scope and fingerprints are shown
        Assert.Contains(google.Fingerprint, answers);
    }

    [Fact]
    public async Task NoVendorKey_IsInPlainTextInTheDatabaseTheEventsTheLogsOrTheAnswers()
    {
        var (_, client) = await api.NewTenantAsync();
        await client.AddCredentialAsync(CredentialRequests.Vendor(VendorKey));
        var answers = await client.GetStringAsync("/api/v1/credentials");

        await AssertNotInPlainTextAsync([VendorKey], answers);
    }

    [Fact]
    public async Task TheGoogleChannel_IsOffUntilTheTenantAcceptsGooglesPolicy_AndCanBeTurnedOffAgain()
    {
        var (_, client) = await api.NewTenantAsync();

        var channels = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/channels");
        var google = channels.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "google");
        Assert.False(google.GetProperty("enabled").GetBoolean());
        Assert.True(google.GetProperty("requiresOptIn").GetBoolean());
        Assert.Contains("JobPosting", google.GetProperty("policy").GetString());
        Assert.True(channels.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "indexnow").GetProperty("enabled").GetBoolean());

        using var refused = await client.PostAsJsonAsync("/api/v1/channels/google/enable", new { acceptPolicy = false });
        Assert.Contains("JobPosting", Assert.Single((await refused.ValidationErrorsAsync())["acceptPolicy"]));
        using var unknown = await client.PostAsJsonAsync("/api/v1/channels/bing/enable", new { acceptPolicy = true });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);

        using var enabled = await client.PostAsJsonAsync("/api/v1/channels/google/enable", new { acceptPolicy = true });
        Assert.Equal(System.Net.HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains("rigorous spam detection", await enabled.Content.ReadAsStringAsync()); // the answer quotes what was accepted
        Assert.True(await GoogleEnabledAsync(client));

        using var disabled = await client.PostAsync("/api/v1/channels/google/disable", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, disabled.StatusCode);
        Assert.False(await GoogleEnabledAsync(client));
    }

    [Fact]
    public async Task APropertyGoogleRefuses_IsFlaggedOnTheCredential_WithoutTheQuotaGrainWaitingOnItself()
    {
        // The refusal is recorded from inside the quota grain's send; the directory then wakes the grains that send
        // with the credential — that same grain among them. It must not wait on itself (it did, for Orleans' 30 s).
        var (_, client) = await api.NewTenantAsync();
        using (var on = await client.PostAsJsonAsync("/api/v1/channels/google/enable", new { acceptPolicy = true }))
            Assert.Equal(System.Net.HttpStatusCode.OK, on.StatusCode);
        var domain = $"notmine-{Guid.NewGuid():N}"[..17] + ".example";
        var google = await client.AddCredentialAsync(CredentialRequests.Google(NewServiceAccount().Json, [$"sc-domain:{domain}"])); // an Owner of nothing
        var campaign = await client.CreateCampaignAsync();
        Sandbox.Site($"www.{domain}").Article("/post");
        await client.ImportAsync(campaign.Id, $"url\nhttps://www.{domain}/post", "text/csv");

        var view = await WaitForStateAsync(client, $"https://www.{domain}/post", "failed");
        Assert.Equal(("failed", FailureReasons.NotOwner), (view?.State, view?.Reason));
        var credentials = await client.GetStringAsync("/api/v1/credentials");
        Assert.Contains($"sc-domain:{domain}", credentials);
        Assert.Contains("ownership", credentials, StringComparison.Ordinal); // Google's reason, on the credential
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(google.Id, StringComparison.Ordinal) && line.Contains("could not be told", StringComparison.Ordinal));
    }

    private static async Task<bool> GoogleEnabledAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/channels")).EnumerateArray()
        .Single(c => c.GetProperty("name").GetString() == "google").GetProperty("enabled").GetBoolean();

    [Fact]
    public async Task AMixedCampaign_IsRoutedToTheCoveringChannels_OrFailsWithNoChannel()
    {
        var (_, client) = await api.NewTenantAsync();
        using (var on = await client.PostAsJsonAsync("/api/v1/channels/google/enable", new { acceptPolicy = true }))
            Assert.Equal(System.Net.HttpStatusCode.OK, on.StatusCode);
        var a = $"a-{Guid.NewGuid():N}.example";
        var b = $"b-{Guid.NewGuid():N}.example";
        await client.AddCredentialAsync(IndexNowKeyFor(a));
        await client.AddCredentialAsync(CredentialRequests.Google(NewServiceAccount().Json, [$"sc-domain:{b}"]));
        var campaign = await client.CreateCampaignAsync();
        string[] urls = [$"https://{a}/guest-post", $"https://blog.{b}/niche-edit", $"https://{a}.other.example/x", $"http://{b}/page"];
        Sandbox.Site(a).Article("/guest-post");
        Sandbox.Site($"blog.{b}").Article("/niche-edit");
        Sandbox.Site(b).Article("/page");

        await client.ImportAsync(campaign.Id, "url\n" + string.Join('\n', urls), "text/csv");

        var expected = new Dictionary<string, (string State, string[] Channels, string? Reason)>
        {
            [urls[0]] = ("validated", ["indexnow"], null),
            [urls[1]] = ("validated", ["google"], null),
            [urls[2]] = ("failed", [], FailureReasons.NoChannel),
            [urls[3]] = ("validated", ["google"], null),
        };
        foreach (var (url, (state, channels, reason)) in expected)
        {
            var view = await WaitUntilRoutedAsync(client, UrlNormalizer.Normalize(url).Sha256);
            Assert.Equal((state, reason), (view.State is "submitted" ? "validated" : view.State, view.Reason));
            if (state != "failed")
                Assert.Equal(channels, view.Channels!);
        }
        Assert.Empty(Sandbox.Log.For($"{a}.other.example")); // no-channel: nothing was fetched
    }

    [Fact]
    public async Task TheGoogleChannel_EndToEnd_WithAServiceAccountFromTheSandboxApi()
    {
        var (_, client) = await api.NewTenantAsync();
        var domain = $"jobs-{Guid.NewGuid():N}"[..14] + ".example";
        using var created = await api.Operator().PostAsJsonAsync("/sandbox/engines/google/service-accounts", new { owns = new[] { $"sc-domain:{domain}" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var account = (await created.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>())!;
        var key = account["serviceAccountJson"]!.ToJsonString();

        var credential = await client.AddCredentialAsync(CredentialRequests.Google(key, [$"sc-domain:{domain}"]));
        using (var verified = await client.PostAsync($"/api/v1/credentials/{credential.Id}/verify", null))
            Assert.Contains("\"verified\"", await verified.Content.ReadAsStringAsync()); // a token from the simulated token endpoint
        using (var on = await client.PostAsJsonAsync("/api/v1/channels/google/enable", new { acceptPolicy = true }))
            Assert.Equal(System.Net.HttpStatusCode.OK, on.StatusCode);
        var campaign = await client.CreateCampaignAsync();
        Sandbox.Site($"www.{domain}").Article("/jobs/1");
        await client.ImportAsync(campaign.Id, $"url\nhttps://www.{domain}/jobs/1", "text/csv");

        var view = await WaitForStateAsync(client, $"https://www.{domain}/jobs/1", "submitted");
        Assert.Equal(("submitted", "google"), (view?.State, view?.Channels?.Single()));
        var google = (await api.Operator().GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/sandbox/engines/google"))!;
        Assert.True(google["accepted"]!.GetValue<int>() >= 1);
        Assert.Contains(Sandbox.Google.Publications, p => p.Url == $"https://www.{domain}/jobs/1" && p.Accepted
            && p.ClientEmail == account["clientEmail"]!.GetValue<string>());
    }

    /// <summary>The backlink of a URL once it is in a state (or as it is after a minute).</summary>
    private static async Task<BacklinkView?> WaitForStateAsync(HttpClient client, string url, string state)
    {
        var sha = UrlNormalizer.Normalize(url).Sha256;
        BacklinkView? view = null;
        for (var i = 0; i < 600 && view?.State != state; i++)
        {
            await Task.Delay(100);
            view = await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha}");
        }
        return view;
    }
}
