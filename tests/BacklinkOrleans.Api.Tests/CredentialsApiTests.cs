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
public abstract partial class CredentialsApiTests(ApiFactory api)
{
    private const string IndexNowKey = "SecretIndexNowKey-7f3a9c";

    private SandboxServer Sandbox => api.Services.GetRequiredService<SandboxHost>().Server;

    private static Dictionary<string, object?> IndexNowKeyFor(string host, string key = IndexNowKey, string? keyLocation = null) =>
        CredentialRequests.IndexNow(host, key, keyLocation);

    [Fact]
    public async Task AnIndexNowKey_IsVerifiedAgainstItsHostsKeyFile_ThroughTheSandbox()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(host).KeyFile(IndexNowKey);
        var other = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(other).KeyFile(IndexNowKey, content: "a-different-key-123");

        var good = await client.AddCredentialAsync(IndexNowKeyFor(host));
        var bad = await client.AddCredentialAsync(IndexNowKeyFor(other));
        var verified = (await (await client.PostAsync($"/api/v1/credentials/{good.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;
        var failed = (await (await client.PostAsync($"/api/v1/credentials/{bad.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;

        Assert.Equal((CredentialKinds.IndexNow, "main key", host), (good.Kind, good.Label, good.Scope.Host));
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

        var added = await client.AddCredentialAsync(IndexNowKeyFor(host, keyLocation: $"https://{host}/keys/{IndexNowKey}.txt"));
        var verified = (await (await client.PostAsync($"/api/v1/credentials/{added.Id}/verify", null)).Content.ReadFromJsonAsync<CredentialView>())!;
        var listed = await client.GetStringAsync("/api/v1/credentials");

        Assert.Equal($"https://{host}/keys/<key>.txt", added.Scope.KeyLocation);
        Assert.Equal(CredentialStatuses.Verified, verified.Status);
        Assert.DoesNotContain(IndexNowKey, listed);
        Assert.DoesNotContain(IndexNowKey, verified.Detail);
    }

    [Fact]
    public async Task InvalidIndexNowKeys_AreValidationProblemsNamingTheFieldAndWhy()
    {
        var (_, client) = await api.NewTenantAsync();

        using var shortKey = await client.PostAsJsonAsync("/api/v1/credentials", IndexNowKeyFor("a.example", key: "short"));
        using var badHost = await client.PostAsJsonAsync("/api/v1/credentials", IndexNowKeyFor("https://a.example/", key: "GoodKey-12345678"));
        using var foreignLocation = await client.PostAsJsonAsync("/api/v1/credentials",
            IndexNowKeyFor("a.example", key: "GoodKey-12345678", keyLocation: "https://b.example/GoodKey-12345678.txt"));
        using var nothing = await client.PostAsJsonAsync("/api/v1/credentials", CredentialRequests.Body(CredentialKinds.IndexNow, null));

        Assert.Contains("8-128 characters", Assert.Single((await shortKey.ValidationErrorsAsync())["key"]));
        Assert.Contains("host name", Assert.Single((await badHost.ValidationErrorsAsync())["host"]));
        Assert.Contains("on the same host", Assert.Single((await foreignLocation.ValidationErrorsAsync())["keyLocation"]));
        Assert.Equal(["host", "key"], (await nothing.ValidationErrorsAsync()).Keys.Order());
    }

    [Fact]
    public async Task ARequestOfNoKnownKind_IsAValidationProblemNamingTheKinds()
    {
        var (_, client) = await api.NewTenantAsync();

        using var unknown = await client.PostAsJsonAsync("/api/v1/credentials", CredentialRequests.Body("bing", null, ("key", "GoodKey-12345678")));
        using var noObject = await client.PostAsJsonAsync("/api/v1/credentials", new[] { "indexnow" });
        using var longLabel = await client.PostAsJsonAsync("/api/v1/credentials", CredentialRequests.IndexNow("a.example", "GoodKey-12345678", label: new string('x', 201)));

        Assert.Contains(CredentialKinds.IndexNow, Assert.Single((await unknown.ValidationErrorsAsync())["kind"]));
        Assert.Contains("JSON object", Assert.Single((await noObject.ValidationErrorsAsync())["body"]));
        Assert.Contains("200 characters", Assert.Single((await longLabel.ValidationErrorsAsync())["label"]));
    }

    [Fact]
    public async Task ASecondKeyForAHost_Conflicts_NamingTheKeyThatExists()
    {
        var (_, client) = await api.NewTenantAsync();
        var first = await client.AddCredentialAsync(IndexNowKeyFor("dup.example"));

        using var duplicate = await client.PostAsJsonAsync("/api/v1/credentials", IndexNowKeyFor("dup.example", key: "AnotherKey12345"));

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains(first.Id, await duplicate.Content.ReadAsStringAsync());
        Assert.Single((await client.GetFromJsonAsync<List<CredentialView>>("/api/v1/credentials"))!);
    }

    [Fact]
    public async Task AKeyAddedThroughAnotherSilo_IsSeenByTheNextAddHere_ThoughThisSiloKeptTheTenantsCredentials()
    {
        // Adds check uniqueness against the silo's copy of the tenant's credentials while the tenant's stream has not
        // moved since; a second directory over the same database plays another silo of the cluster.
        var (tenant, _) = await api.NewTenantAsync();
        var id = SharedKernel.Tenancy.TenantId.From(tenant);
        var here = (Accounts.Credentials.CredentialDirectory)api.Services.GetRequiredService<ICredentialDirectory>();
        // Another silo's listeners wake quota grains there, not this silo's directory: none here.
        var there = ActivatorUtilities.CreateInstance<Accounts.Credentials.CredentialDirectory>(api.Services, Array.Empty<ICredentialChangeListener>());
        var a = $"a-{Guid.NewGuid():N}.example";
        var b = $"b-{Guid.NewGuid():N}.example";

        var first = (await here.AddAsync(id, Json(IndexNowKeyFor(a)), CancellationToken.None)).Credential!;
        Assert.NotNull((await here.AddAsync(id, Json(IndexNowKeyFor($"c-{a}")), CancellationToken.None)).Credential); // from this silo's copy
        var elsewhere = (await there.AddAsync(id, Json(IndexNowKeyFor(b)), CancellationToken.None)).Credential!;
        var again = await here.AddAsync(id, Json(IndexNowKeyFor(b, key: "AnotherKey12345")), CancellationToken.None);

        Assert.Null(again.Credential);
        Assert.Contains(elsewhere.Id, again.Conflict);
        Assert.Contains(first.Id, (await there.AddAsync(id, Json(IndexNowKeyFor(a, key: "AnotherKey12345")), CancellationToken.None)).Conflict);
        Assert.Equal([a, $"c-{a}", b], (await here.ListAsync(id, CancellationToken.None)).Select(c => c.Scope.Host));

        // A change of one credential puts that row into this silo's copy; one through the other silo is read again.
        var c = (await here.ListAsync(id, CancellationToken.None)).Single(k => k.Scope.Host == $"c-{a}");
        Assert.True(await here.RemoveAsync(id, c.Id, CancellationToken.None));
        Assert.True(await there.RemoveAsync(id, elsewhere.Id, CancellationToken.None));
        Assert.NotNull((await here.AddAsync(id, Json(IndexNowKeyFor(b, key: "AnotherKey12345")), CancellationToken.None)).Credential);
        Assert.NotNull((await here.AddAsync(id, Json(IndexNowKeyFor($"c-{a}")), CancellationToken.None)).Credential);
        Assert.Equal([a, b, $"c-{a}"], (await here.ListAsync(id, CancellationToken.None)).Select(k => k.Scope.Host));
    }

    private static System.Text.Json.JsonElement Json(object request) => System.Text.Json.JsonSerializer.SerializeToElement(request);

    [Fact]
    public async Task AnotherTenantsCredentials_AreNotFound_AndItsProtectorCannotReadThem()
    {
        var (owner, ownerClient) = await api.NewTenantAsync();
        var (stranger, strangerClient) = await api.NewTenantAsync();
        var credential = await ownerClient.AddCredentialAsync(IndexNowKeyFor($"{Guid.NewGuid():N}.example"));

        Assert.Empty((await strangerClient.GetFromJsonAsync<List<CredentialView>>("/api/v1/credentials"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.PostAsync($"/api/v1/credentials/{credential.Id}/verify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.DeleteAsync($"/api/v1/credentials/{credential.Id}")).StatusCode);

        var provider = api.Services.GetRequiredService<IDataProtectionProvider>();
        const string purpose = "BacklinkOrleans.Accounts.Credentials";
        var ciphertext = provider.CreateProtector(purpose, $"tenant:{owner}").Protect(IndexNowKey);
        Assert.Equal(IndexNowKey, provider.CreateProtector(purpose, $"tenant:{owner}").Unprotect(ciphertext));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => provider.CreateProtector(purpose, $"tenant:{stranger}").Unprotect(ciphertext));
        var directory = api.Services.GetRequiredService<ICredentialDirectory>();
        Assert.Equal(IndexNowKey, await directory.RevealAsync(SharedKernel.Tenancy.TenantId.From(owner), credential.Id, CancellationToken.None));
        Assert.Null(await directory.RevealAsync(SharedKernel.Tenancy.TenantId.From(stranger), credential.Id, CancellationToken.None));
    }

    [Fact]
    public async Task NoIndexNowKey_IsInPlainTextInTheDatabaseTheEventsTheLogsOrTheAnswers()
    {
        var (_, client) = await api.NewTenantAsync();
        var host = $"{Guid.NewGuid():N}.example";
        Sandbox.Site(host).KeyFile(IndexNowKey);
        var indexNow = await client.AddCredentialAsync(IndexNowKeyFor(host));
        var verified = await (await client.PostAsync($"/api/v1/credentials/{indexNow.Id}/verify", null)).Content.ReadAsStringAsync();
        var answers = await client.GetStringAsync("/api/v1/credentials");

        await AssertNotInPlainTextAsync([IndexNowKey], answers + verified);
        Assert.Contains(host, answers); // scope and fingerprints are shown
        Assert.Contains(indexNow.Fingerprint, answers);
    }

    /// <summary>None of <paramref name="secrets"/> in the API's answers, the logs, the events or the database.</summary>
    private async Task AssertNotInPlainTextAsync(string[] secrets, string answers)
    {
        var places = new Dictionary<string, string>
        {
            ["API answers"] = answers,
            ["logs"] = string.Join('\n', api.Logs.Lines),
            ["events"] = await AllEventsAsync(),
            ["database"] = await DatabaseTextAsync(),
        };
        foreach (var (place, text) in places)
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret is in plain text in the {place}");
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
    public async Task ACampaign_IsRoutedToTheKeyThatCoversEachUrl_OrFailsWithNoChannel_BeforeAnythingIsFetched()
    {
        var (_, client) = await api.NewTenantAsync();
        var a = $"a-{Guid.NewGuid():N}.example";
        Sandbox.Site(a).KeyFile(IndexNowKey).Article("/guest-post").Article("/second");
        await client.AddCredentialAsync(IndexNowKeyFor(a));
        var campaign = await client.CreateCampaignAsync();
        string[] urls = [$"https://{a}/guest-post", $"http://{a}/second", $"https://{a}.other.example/x", $"https://blog.{a}/post"];

        await client.ImportAsync(campaign.Id, "url\n" + string.Join('\n', urls), "text/csv");

        foreach (var url in urls[..2])
        {
            var view = await WaitUntilRoutedAsync(client, UrlNormalizer.Normalize(url).Sha256);
            Assert.True(view.State is "validated" or "submitted", $"{url}: {view.State}/{view.Reason} ({view.ReasonDetail})");
            Assert.Equal([CredentialKinds.IndexNow], view.Channels!);
        }
        foreach (var url in urls[2..]) // a key covers exactly its host: not a longer name, not a subdomain
        {
            var view = await WaitUntilRoutedAsync(client, UrlNormalizer.Normalize(url).Sha256);
            Assert.Equal(("failed", FailureReasons.NoChannel), (view.State, view.Reason));
            Assert.Empty(Sandbox.Log.For(new Uri(url).Host)); // no-channel: nothing was fetched
        }
    }

    private static async Task<BacklinkView> WaitUntilRoutedAsync(HttpClient client, string sha256)
    {
        for (var i = 0; i < 100; i++)
        {
            var view = (await client.GetFromJsonAsync<BacklinkView>($"/api/v1/backlinks/{sha256}"))!;
            if (view.State is "validated" or "submitted" or "failed")
                return view;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{sha256} was never routed and validated");
    }
}

public sealed class EmbeddedCredentialsApiTests(EmbeddedApiFactory api) : CredentialsApiTests(api), IClassFixture<EmbeddedApiFactory>;

public sealed class ClusterCredentialsApiTests(ClusterApiFactory api) : CredentialsApiTests(api), IClassFixture<ClusterApiFactory>;
