using System.Net;
using System.Net.Http.Json;
using System.Text;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Credentials through the API, with the Sandbox playing the publishers' hosts.</summary>
public abstract class CredentialsApiTests(ApiFactory api)
{
    private const string IndexNowKey = "SecretIndexNowKey-7f3a9c";
    private const string VendorKey = "vendor-secret-9f8e7d6c5b4a3";
    private const string PrivateKeyMaterial = "TOPSECRETPRIVATEKEYMATERIALxyz";

    private static readonly string ServiceAccount = $$"""
        {"type":"service_account","project_id":"acme-indexing","private_key_id":"0123456789abcdef0123","private_key":"-----BEGIN PRIVATE KEY-----\n{{PrivateKeyMaterial}}\n-----END PRIVATE KEY-----\n","client_email":"indexer@acme-indexing.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}
        """;

    private SandboxServer Sandbox => api.Services.GetRequiredService<SandboxHost>().Server;

    private static async Task<CredentialView> AddAsync(HttpClient client, AddCredentialRequest request)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/credentials", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CredentialView>())!;
    }

    private static AddCredentialRequest IndexNowKeyFor(string host, string key = IndexNowKey, string? keyLocation = null) =>
        new(CredentialKinds.IndexNow, "main key", host, key, keyLocation, null, null, null, null);

    [Fact]
    public async Task AnIndexNowKey_IsVerifiedAgainstItsHostsKeyFile_ThroughTheSandbox()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(host).KeyFile(IndexNowKey);
        var other = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(other).KeyFile(IndexNowKey, content: "a-different-key-123");

        var good = await AddAsync(client, IndexNowKeyFor(host));
        var bad = await AddAsync(client, IndexNowKeyFor(other));
        var verified = (await (await client.PostAsync($"/api/v1/credentials/{good.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;
        var failed = (await (await client.PostAsync($"/api/v1/credentials/{bad.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;

        Assert.Equal(CredentialStatuses.Verified, verified.Status);
        Assert.Equal(CredentialStatuses.Failed, failed.Status);
        Assert.Contains("does not hold this key", failed.Detail);
        Assert.Single(Sandbox.Log.For(host, $"/{IndexNowKey}.txt")); // fetched from the simulated host, over HTTPS
        Assert.Equal("https", Sandbox.Log.For(host).Single().Scheme);
        var listed = (await client.GetFromJsonAsync<List<CredentialView>>("/api/v1/credentials"))!;
        Assert.Equal(CredentialStatuses.Verified, listed.Single(c => c.Id == good.Id).Status);
    }

    [Fact]
    public async Task AKeyLocationNamedAfterTheKey_IsStoredWithoutTheKey_AndStillVerifies()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(host).KeyFile(IndexNowKey, $"/keys/{IndexNowKey}.txt");

        var added = await AddAsync(client, IndexNowKeyFor(host, keyLocation: $"https://{host}/keys/{IndexNowKey}.txt"));
        var verified = (await (await client.PostAsync($"/api/v1/credentials/{added.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;
        var listed = await client.GetStringAsync("/api/v1/credentials");

        Assert.Equal($"https://{host}/keys/<key>.txt", added.Scope.KeyLocation);
        Assert.Equal(CredentialStatuses.Verified, verified.Status);
        Assert.DoesNotContain(IndexNowKey, listed);
        Assert.DoesNotContain(IndexNowKey, verified.Detail);
    }

    [Fact]
    public async Task InvalidCredentials_AreValidationProblems_AndASecondKeyForAHostConflicts()
    {
        var (_, client) = await api.NewTenantAsync();
        using var badKey = await client.PostAsJsonAsync("/api/v1/credentials", IndexNowKeyFor("a.example", key: "short"));
        using var badSa = await client.PostAsJsonAsync("/api/v1/credentials",
            new AddCredentialRequest(CredentialKinds.Google, null, null, null, null, null, "{\"type\":\"user\"}", ["example.com"], null));
        await AddAsync(client, IndexNowKeyFor("dup.example"));
        using var duplicate = await client.PostAsJsonAsync("/api/v1/credentials", IndexNowKeyFor("dup.example", key: "AnotherKey12345"));

        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("Key", await badKey.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badSa.StatusCode);
        var saErrors = await badSa.Content.ReadAsStringAsync();
        Assert.Contains("ServiceAccountJson", saErrors);
        Assert.Contains("Properties[0]", saErrors);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task AnotherTenantsCredentials_AreNotFound_AndItsProtectorCannotReadThem()
    {
        var (owner, ownerClient) = await api.NewTenantAsync();
        var (stranger, strangerClient) = await api.NewTenantAsync();
        var credential = await AddAsync(ownerClient, new AddCredentialRequest(CredentialKinds.Vendor, null, null, null, null, null, null, null, VendorKey));

        Assert.Empty((await strangerClient.GetFromJsonAsync<List<CredentialView>>("/api/v1/credentials"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.PostAsync($"/api/v1/credentials/{credential.Id}/verify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.DeleteAsync($"/api/v1/credentials/{credential.Id}")).StatusCode);

        var provider = api.Services.GetRequiredService<IDataProtectionProvider>();
        const string purpose = "BacklinkOrleans.Accounts.Credentials";
        var ciphertext = provider.CreateProtector(purpose, $"tenant:{owner}").Protect(VendorKey);
        Assert.Equal(VendorKey, provider.CreateProtector(purpose, $"tenant:{owner}").Unprotect(ciphertext));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => provider.CreateProtector(purpose, $"tenant:{stranger}").Unprotect(ciphertext));
        var directory = api.Services.GetRequiredService<ICredentialDirectory>();
        Assert.Equal(VendorKey, await directory.RevealAsync(SharedKernel.Tenancy.TenantId.From(owner), credential.Id, CancellationToken.None));
        Assert.Null(await directory.RevealAsync(SharedKernel.Tenancy.TenantId.From(stranger), credential.Id, CancellationToken.None));
    }

    [Fact]
    public async Task NoSecret_IsInPlainTextInTheDatabaseTheEventsTheLogsOrTheAnswers()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(host).KeyFile(IndexNowKey);
        var indexNow = await AddAsync(client, IndexNowKeyFor(host));
        await client.PostAsync($"/api/v1/credentials/{indexNow.Id}/verify", null);
        var google = await AddAsync(client, new AddCredentialRequest(CredentialKinds.Google, "sa", null, null, null, null, ServiceAccount, ["sc-domain:acme.example"], null));
        await AddAsync(client, new AddCredentialRequest(CredentialKinds.Vendor, "vendor", null, null, null, null, null, null, VendorKey));
        var answers = await client.GetStringAsync("/api/v1/credentials");

        string[] secrets = [IndexNowKey, VendorKey, PrivateKeyMaterial];
        var places = new Dictionary<string, string>
        {
            ["API answers"] = answers + google,
            ["logs"] = string.Join('\n', api.Logs.Lines),
            ["events"] = await AllEventsAsync(),
            ["database"] = await DatabaseTextAsync(),
        };
        foreach (var (place, text) in places)
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret is in plain text in the {place}");
        Assert.Contains("indexer@acme-indexing.iam.gserviceaccount.com", answers); // scope and fingerprints are shown
        Assert.Contains(google.Fingerprint, answers);
    }

    private async Task<string> AllEventsAsync()
    {
        var store = api.Services.GetRequiredService<IEventStore>();
        var text = new StringBuilder();
        for (long after = 0; ;)
        {
            var page = await store.ReadAllAsync(after, 5_000);
            if (page.Count == 0)
                return text.ToString();
            foreach (var e in page)
                text.Append(e.Data).Append(e.Metadata);
            after = page[^1].Position;
        }
    }

    /// <summary>Every byte of the SQLite files, or every row of every PostgreSQL table, as text.</summary>
    private async Task<string> DatabaseTextAsync()
    {
        if (api.Postgres is null)
            return string.Concat(Directory.GetFiles(api.DataFolder, "backlinks.db*").Select(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                return reader.ReadToEnd();
            }));
        var text = new StringBuilder();
        await using var connection = new NpgsqlConnection(api.Postgres);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.AppendLine(reader.GetString(0));
        }
        Assert.True(tables.Count >= 10, "all tables were scanned");
        return text.ToString();
    }

    [Fact]
    public async Task AMixedCampaign_IsRoutedToTheCoveringChannels_OrFailsWithNoChannel()
    {
        var (_, client) = await api.NewTenantAsync();
        var a = $"a-{Guid.NewGuid():N}.example";
        var b = $"b-{Guid.NewGuid():N}.example";
        await AddAsync(client, IndexNowKeyFor(a));
        await AddAsync(client, new AddCredentialRequest(CredentialKinds.Google, "sa", null, null, null, null, ServiceAccount, [$"sc-domain:{b}"], null));
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
            Assert.Equal((state, reason), (view.State, view.Reason));
            if (state != "failed")
                Assert.Equal(channels, view.Channels!);
        }
        Assert.Empty(Sandbox.Log.For($"{a}.other.example")); // no-channel: nothing was fetched
    }

    private static async Task<BacklinkView> WaitUntilRoutedAsync(HttpClient client, string sha256)
    {
        for (var i = 0; i < 100; i++)
        {
            var view = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha256}"))!;
            if (view.State is "validated" or "failed")
                return view;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{sha256} was never routed and validated");
    }
}

public sealed class EmbeddedCredentialsApiTests(EmbeddedApiFactory api) : CredentialsApiTests(api), IClassFixture<EmbeddedApiFactory>;

public sealed class ClusterCredentialsApiTests(ClusterApiFactory api) : CredentialsApiTests(api), IClassFixture<ClusterApiFactory>;
