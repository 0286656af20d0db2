using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>
/// Google's token endpoint and Indexing API as protocols.md describes them: the Sandbox must refuse what Google
/// refuses (a JWT out of its time frame, an account that owns no property for the URL, the 201st publish of a Pacific
/// day), or it would hide the failures users meet.
/// </summary>
public sealed partial class GoogleStrictnessTests : IAsyncLifetime
{
    private const string Project = "acme-indexing";
    // 2026-11-01 is the day US Pacific time leaves daylight saving: that Pacific day lasts 25 hours.
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 10, 31, 20, 0, 0, TimeSpan.Zero));
    private SandboxServer sandbox = null!;
    private HttpClient client = null!;
    private JsonNode key = null!;
    private string email = null!;

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(time);
        client = sandbox.CreateClient();
        var json = sandbox.Google.CreateServiceAccount(Project, "indexer");
        key = JsonNode.Parse(json)!;
        email = GoogleSimulation.EmailOf(json);
        sandbox.Google.AddOwner("sc-domain:acme.example", email);
        sandbox.Google.AddOwner("https://www.partner.example/blog/", email);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await sandbox.DisposeAsync();
    }

    private string Jwt(Action<JsonObject>? change = null, RSA? signer = null, string alg = "RS256")
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = email, ["scope"] = GoogleSimulation.IndexingScope, ["aud"] = GoogleSimulation.TokenUrl, ["iat"] = now, ["exp"] = now + 3600,
        };
        change?.Invoke(claims);
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg, typ = "JWT" }));
        var payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key["private_key"]!.GetValue<string>());
        var signature = (signer ?? rsa).SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<(HttpStatusCode Status, JsonNode? Body)> TokenAsync(string assertion, string grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        using var response = await client.PostAsync(GoogleSimulation.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["assertion"] = assertion,
        }));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    private async Task<string> AccessTokenAsync(Action<JsonObject>? change = null)
    {
        var (status, body) = await TokenAsync(Jwt(change));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3599, body!["expires_in"]!.GetValue<int>());
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        return body["access_token"]!.GetValue<string>();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PublishAsync(string? token, string url, string type = "URL_UPDATED")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://indexing.googleapis.com/v3/urlNotifications:publish")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { url, type }), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static string? Message(JsonNode? body) => body?["error"]?["message"]?.GetValue<string>();

    public static TheoryData<string, string> RefusedAssertions() => new()
    {
        { "exp more than an hour after iat", "exp" },
        { "expired", "expired" },
        { "iat in the future", "future" },
        { "another audience", "aud" },
        { "an unknown account", "iss" },
        { "signed by another key", "signature" },
        { "another algorithm", "alg" },
    };

    [Theory]
    [MemberData(nameof(RefusedAssertions))]
    public async Task TheTokenEndpoint_RefusesAnAssertion_WithInvalidGrant(string what, string rule)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        using var other = RSA.Create(2048);
        var assertion = rule switch
        {
            "exp" => Jwt(c => c["exp"] = now + 3601),
            "expired" => Jwt(c => { c["iat"] = now - 4000; c["exp"] = now - 400; }),
            "future" => Jwt(c => { c["iat"] = now + 900; c["exp"] = now + 1800; }),
            "aud" => Jwt(c => c["aud"] = "https://www.googleapis.com/oauth2/v4/token"),
            "iss" => Jwt(c => c["iss"] = "stranger@elsewhere.iam.gserviceaccount.com"),
            "signature" => Jwt(signer: other),
            _ => Jwt(alg: "HS256"),
        };

        var (status, body) = await TokenAsync(assertion);

        Assert.True(status == HttpStatusCode.BadRequest, what);
        Assert.Equal("invalid_grant", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheTokenEndpoint_RefusesOtherGrantTypes() =>
        Assert.Equal("unsupported_grant_type", (await TokenAsync(Jwt(), "client_credentials")).Body!["error"]!.GetValue<string>());

    [Fact]
    public async Task Publishing_NeedsALiveTokenWithTheIndexingScope()
    {
        var (none, noneBody) = await PublishAsync(null, "https://acme.example/jobs/1");
        var (wrongScope, wrongScopeBody) = await PublishAsync(await AccessTokenAsync(c => c["scope"] = "https://www.googleapis.com/auth/webmasters.readonly"),
            "https://acme.example/jobs/1");
        var token = await AccessTokenAsync();
        time.Advance(TimeSpan.FromSeconds(3601));
        var (expired, _) = await PublishAsync(token, "https://acme.example/jobs/1");

        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (none, noneBody!["error"]!["status"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.Forbidden, "Request had insufficient authentication scopes."), (wrongScope, Message(wrongScopeBody)));
        Assert.Equal(HttpStatusCode.Unauthorized, expired);
    }

    [Theory]
    [InlineData("https://acme.example/jobs/1", true)]
    [InlineData("http://careers.acme.example/jobs/2", true)]                  // a domain property: any scheme and subdomain
    [InlineData("https://acme.example.evil.example/jobs/3", false)]
    [InlineData("https://www.partner.example/blog/post", true)]               // under the URL-prefix property
    [InlineData("https://www.partner.example/shop/item", false)]
    [InlineData("http://www.partner.example/blog/post", false)]               // a prefix property includes its scheme
    public async Task Publishing_NeedsAnOwnerOfAPropertyCoveringTheUrl(string url, bool owned)
    {
        var (status, body) = await PublishAsync(await AccessTokenAsync(), url);

        if (owned)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(url, body!["urlNotificationMetadata"]!["latestUpdate"]!["url"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("Permission denied. Failed to verify the URL ownership.", Message(body));
            Assert.Equal("PERMISSION_DENIED", body!["error"]!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task ABadTypeOrUrl_IsAnInvalidArgument()
    {
        var token = await AccessTokenAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await PublishAsync(token, "https://acme.example/a", "URL_REFRESHED")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PublishAsync(token, "acme.example/a")).Status);
    }

    [Fact]
    public async Task TheDailyLimit_IsThePacificDay_OfTheProject_And25HoursLongWhenDaylightSavingEnds()
    {
        sandbox.Google.PerMinuteLimit = 10_000;
        var token = await AccessTokenAsync();
        // 2026-10-31 20:00 UTC is 13:00 PDT on Oct 31; the Pacific day ends at 2026-11-01 07:00 UTC.
        for (var i = 0; i < 200; i++)
            Assert.Equal(HttpStatusCode.OK, (await PublishAsync(token, $"https://acme.example/jobs/{i}")).Status);
        var (over, overBody) = await PublishAsync(token, "https://acme.example/jobs/over");
        Assert.Equal(HttpStatusCode.TooManyRequests, over);
        Assert.Contains("limit 'Publish requests per day'", Message(overBody));
        Assert.Equal("RESOURCE_EXHAUSTED", overBody!["error"]!["status"]!.GetValue<string>());

        time.SetUtcNow(new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.Zero)); // midnight PDT: a new Pacific day (Nov 1, 25 hours)
        token = await AccessTokenAsync();
        for (var i = 0; i < 200; i++)
            Assert.Equal(HttpStatusCode.OK, (await PublishAsync(token, $"https://acme.example/day2/{i}")).Status);
        time.SetUtcNow(new DateTimeOffset(2026, 11, 2, 7, 30, 0, TimeSpan.Zero)); // 23:30 PST: still Nov 1
        token = await AccessTokenAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PublishAsync(token, "https://acme.example/late")).Status);
        time.SetUtcNow(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero)); // midnight PST
        token = await AccessTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await PublishAsync(token, "https://acme.example/day3/0")).Status);
        Assert.Equal(1, sandbox.Google.PublishesOn(Project, time.GetUtcNow()));
    }

    [Fact]
    public async Task ThePerMinuteLimit_CountsEveryRequest_AndItsMessageNamesTheMinute()
    {
        sandbox.Google.PerMinuteLimit = 3;
        var token = await AccessTokenAsync();
        for (var i = 0; i < 3; i++)
            await PublishAsync(token, $"https://acme.example/m/{i}");

        var (status, body) = await PublishAsync(token, "https://acme.example/m/3");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("per minute", Message(body));
        Assert.DoesNotContain("per day", Message(body));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await PublishAsync(token, "https://acme.example/m/4")).Status);
    }

    [Fact]
    public async Task Metadata_Is404ForAUrlNeverNotified_AndTheLatestUpdateOtherwise()
    {
        var token = await AccessTokenAsync();
        await PublishAsync(token, "https://acme.example/jobs/known");

        var known = await MetadataAsync(token, "https://acme.example/jobs/known");
        var unknown = await MetadataAsync(token, "https://acme.example/jobs/never");

        Assert.Equal(HttpStatusCode.OK, known.Status);
        Assert.Equal("URL_UPDATED", known.Body!["latestUpdate"]!["type"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.NotFound, "Requested entity was not found."), (unknown.Status, Message(unknown.Body)));
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> MetadataAsync(string token, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://indexing.googleapis.com/v3/urlNotifications/metadata?url={Uri.EscapeDataString(url)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ABatch_AnswersEachPartOnItsOwn_InOrder_AndRefusesMoreThan100Parts()
    {
        var token = await AccessTokenAsync();
        var urls = new[] { "https://acme.example/b/1", "https://stranger.example/b/2", "https://acme.example/b/3" };

        var (status, parts) = await BatchAsync(token, urls);
        var (tooMany, _) = await BatchAsync(token, Enumerable.Range(0, 101).Select(i => $"https://acme.example/many/{i}").ToArray());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([200, 403, 200], parts.Select(p => p.Status));
        Assert.Contains("Failed to verify the URL ownership", parts[1].Body);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Equal(2, sandbox.Google.Publications.Count(p => p.InBatch && p.Accepted));
    }

    private async Task<(HttpStatusCode Status, List<(int Status, string Body)> Parts)> BatchAsync(string token, string[] urls)
    {
        var content = new MultipartContent("mixed");
        foreach (var url in urls)
        {
            var json = JsonSerializer.Serialize(new { url, type = "URL_UPDATED" });
            var part = new StringContent($"POST https://indexing.googleapis.com/v3/urlNotifications:publish\nContent-Type: application/json; charset=utf-8\n"
                + $"Content-Length:  {json.Length}\n\n{json}\n");
            part.Headers.ContentType = new MediaTypeHeaderValue("application/http");
            content.Add(part);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://indexing.googleapis.com/batch") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
            return (response.StatusCode, []);
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!;
        var parts = text.Split("--" + boundary).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal))
            .Select(p => p[p.IndexOf("HTTP/1.1 ", StringComparison.Ordinal)..])
            .Select(p => (int.Parse(p.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), p[(p.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]))
            .ToList();
        return (response.StatusCode, parts);
    }
}
