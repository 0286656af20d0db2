using System.Net.Http.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Api.Tests;

/// <summary>
/// Credentials of the Google channel (issue 12) and the vendor channel (issue 14), which this build does not have yet:
/// their kinds are not registered, so adding one is refused. Remove the Skip when the channel lands; the field names
/// (serviceAccountJson, properties, apiKey) are those the API's summary announces, to be confirmed against the kinds.
/// </summary>
public abstract partial class CredentialsApiTests
{
    private const string NeedsGoogle = "needs the Google channel (issue 12)";
    private const string NeedsVendor = "needs the vendor channel (issue 14)";
    private const string VendorKey = "vendor-secret-9f8e7d6c5b4a3";
    private const string PrivateKeyMaterial = "TOPSECRETPRIVATEKEYMATERIALxyz";

    private static readonly string ServiceAccount = $$"""
        {"type":"service_account","project_id":"acme-indexing","private_key_id":"0123456789abcdef0123","private_key":"-----BEGIN PRIVATE KEY-----\n{{PrivateKeyMaterial}}\n-----END PRIVATE KEY-----\n","client_email":"indexer@acme-indexing.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}
        """;

    [Fact(Skip = NeedsGoogle)]
    public async Task AnInvalidServiceAccount_IsAValidationProblemNamingEachField()
    {
        var (_, client) = await api.NewTenantAsync();

        using var badSa = await client.PostAsJsonAsync("/api/v1/credentials", CredentialRequests.Google("{\"type\":\"user\"}", ["example.com"]));

        var errors = await badSa.ValidationErrorsAsync();
        Assert.Contains("serviceAccountJson", errors.Keys);
        Assert.Contains("properties[0]", errors.Keys);
    }

    [Fact(Skip = NeedsGoogle + "; " + NeedsVendor)]
    public async Task NoServiceAccountOrVendorKey_IsInPlainTextInTheDatabaseTheEventsTheLogsOrTheAnswers()
    {
        var (_, client) = await api.NewTenantAsync();
        var google = await client.AddCredentialAsync(CredentialRequests.Google(ServiceAccount, ["sc-domain:acme.example"]));
        await client.AddCredentialAsync(CredentialRequests.Vendor(VendorKey));
        var answers = await client.GetStringAsync("/api/v1/credentials");

        await AssertNotInPlainTextAsync([VendorKey, PrivateKeyMaterial], answers + google);
        Assert.Contains("indexer@acme-indexing.iam.gserviceaccount.com", answers); // scope and fingerprints are shown
        Assert.Contains(google.Fingerprint, answers);
    }

    [Fact(Skip = NeedsGoogle)]
    public async Task AMixedCampaign_IsRoutedToTheCoveringChannels_OrFailsWithNoChannel()
    {
        var (_, client) = await api.NewTenantAsync();
        var a = $"a-{Guid.NewGuid():N}.example";
        var b = $"b-{Guid.NewGuid():N}.example";
        await client.AddCredentialAsync(IndexNowKeyFor(a));
        await client.AddCredentialAsync(CredentialRequests.Google(ServiceAccount, [$"sc-domain:{b}"]));
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
}
