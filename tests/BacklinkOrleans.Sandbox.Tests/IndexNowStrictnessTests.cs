using System.Net;
using System.Text;
using System.Text.Json;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>
/// One case per IndexNow rule of protocols.md: the Sandbox must refuse what the real service refuses, or it would
/// hide the failures users meet.
/// </summary>
public sealed class IndexNowStrictnessTests : IAsyncLifetime
{
    private const string Host = "www.example.com";
    private const string Key = "abcdef0123456789";
    private const string FolderKey = "folder-key-12345678";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private SandboxServer sandbox = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(time);
        client = sandbox.CreateClient();
        sandbox.Site(Host).KeyFile(Key).KeyFile(FolderKey, "/blog/keys/key.txt").Article("/post");
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await sandbox.DisposeAsync();
    }

    private sealed record Case(string Method, object? Body = null, string? Query = null, string ContentType = "application/json; charset=utf-8",
        string Endpoint = "api.indexnow.org", string Path = "/indexnow", Action<SandboxServer>? Setup = null);

    private static object Post(string? host = Host, string? key = Key, IEnumerable<string>? urls = null, string? keyLocation = null) =>
        new Dictionary<string, object?> { ["host"] = host, ["key"] = key, ["keyLocation"] = keyLocation, ["urlList"] = urls?.ToArray() }
            .Where(p => p.Value is not null).ToDictionary();

    private static readonly string[] TwoUrls = [$"https://{Host}/post", $"https://{Host}/other"];

    private static readonly Dictionary<string, (Case Case, HttpStatusCode Expected)> Rules = new()
    {
        ["a valid POST is received"] = (new Case("POST", Post(urls: TwoUrls)), HttpStatusCode.OK),
        ["a valid GET is received"] = (new Case("GET", Query: $"?url=https://{Host}/post&key={Key}"), HttpStatusCode.OK),
        ["any of the endpoints answers alike"] = (new Case("POST", Post(urls: TwoUrls), Endpoint: "www.bing.com"), HttpStatusCode.OK),
        ["another path is not found"] = (new Case("POST", Post(urls: TwoUrls), Path: "/submit"), HttpStatusCode.NotFound),
        ["PUT is not allowed"] = (new Case("PUT", Post(urls: TwoUrls)), HttpStatusCode.MethodNotAllowed),
        ["DELETE is not allowed"] = (new Case("DELETE"), HttpStatusCode.MethodNotAllowed),
        ["a body that is not JSON is a bad request"] = (new Case("POST", "{\"host\": "), HttpStatusCode.BadRequest),
        ["a POST that is not application/json is a bad request"] = (new Case("POST", Post(urls: TwoUrls), ContentType: "text/plain"), HttpStatusCode.BadRequest),
        ["a missing host is a bad request"] = (new Case("POST", Post(host: null, urls: TwoUrls)), HttpStatusCode.BadRequest),
        ["a missing key is a bad request"] = (new Case("POST", Post(key: null, urls: TwoUrls)), HttpStatusCode.BadRequest),
        ["a missing urlList is a bad request"] = (new Case("POST", Post()), HttpStatusCode.BadRequest),
        ["an empty urlList is a bad request"] = (new Case("POST", Post(urls: [])), HttpStatusCode.BadRequest),
        ["more than 10,000 URLs is a bad request"] = (new Case("POST", Post(urls: Enumerable.Range(0, 10_001).Select(i => $"https://{Host}/p/{i}"))), HttpStatusCode.BadRequest),
        ["a GET without key is a bad request"] = (new Case("GET", Query: $"?url=https://{Host}/post"), HttpStatusCode.BadRequest),
        ["a GET without url is a bad request"] = (new Case("GET", Query: $"?key={Key}"), HttpStatusCode.BadRequest),
        ["a key shorter than 8 is unprocessable"] = (new Case("POST", Post(key: "abc1234", urls: TwoUrls)), HttpStatusCode.UnprocessableEntity),
        ["a key longer than 128 is unprocessable"] = (new Case("POST", Post(key: new string('a', 129), urls: TwoUrls)), HttpStatusCode.UnprocessableEntity),
        ["a key with other characters is unprocessable"] = (new Case("POST", Post(key: "abcd_0123456789", urls: TwoUrls)), HttpStatusCode.UnprocessableEntity),
        ["one off-host URL rejects the whole request"] = (new Case("POST", Post(urls: [.. TwoUrls, "https://other.example/x"])), HttpStatusCode.UnprocessableEntity),
        ["a subdomain is another host"] = (new Case("POST", Post(urls: [$"https://blog.{Host}/x"])), HttpStatusCode.UnprocessableEntity),
        ["a keyLocation on another host is unprocessable"] = (new Case("POST", Post(key: FolderKey, keyLocation: "https://other.example/blog/keys/key.txt", urls: [$"https://{Host}/blog/keys/a"])), HttpStatusCode.UnprocessableEntity),
        ["a URL outside the keyLocation folder is unprocessable"] = (new Case("POST", Post(key: FolderKey, keyLocation: $"https://{Host}/blog/keys/key.txt", urls: [$"https://{Host}/blog/keys/a", $"https://{Host}/post"])), HttpStatusCode.UnprocessableEntity),
        ["URLs in the keyLocation folder are received"] = (new Case("POST", Post(key: FolderKey, keyLocation: $"https://{Host}/blog/keys/key.txt", urls: [$"https://{Host}/blog/keys/a", $"https://{Host}/blog/keys/deeper/b"])), HttpStatusCode.OK),
        ["a missing key file is forbidden"] = (new Case("POST", Post(key: "nokeyfile-123456", urls: TwoUrls)), HttpStatusCode.Forbidden),
        ["a key file with other content is forbidden"] = (new Case("POST", Post(urls: TwoUrls), Setup: s => s.Site(Host).KeyFile(Key, content: "someone-elses-key")), HttpStatusCode.Forbidden),
        ["a key file that fails to load is forbidden"] = (new Case("POST", Post(urls: TwoUrls), Setup: s => s.Site(Host).Status($"/{Key}.txt", 500)), HttpStatusCode.Forbidden),
        ["over the daily limit of the key is too many requests"] = (new Case("POST", Post(urls: TwoUrls), Setup: s => s.IndexNow.DailyLimitPerKey = 1), HttpStatusCode.TooManyRequests),
        ["a new key's first request may be pending validation"] = (new Case("POST", Post(urls: TwoUrls), Setup: s => s.IndexNow.KeyValidationPending = true), HttpStatusCode.Accepted),
    };

    public static TheoryData<string> RuleNames() => [.. Rules.Keys];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public async Task EachRule_IsEnforced(string rule)
    {
        var (c, expected) = Rules[rule];
        c.Setup?.Invoke(sandbox);

        using var response = await SendAsync(c);

        Assert.Equal(expected, response.StatusCode);
        if (c.Path == "/indexnow" && c.Method is "POST" or "GET")
        {
            var recorded = Assert.Single(sandbox.IndexNow.Submissions);
            Assert.Equal((int)expected, recorded.Status);
            Assert.Equal(expected is HttpStatusCode.OK or HttpStatusCode.Accepted, recorded.Accepted);
        }
    }

    [Fact]
    public async Task ARejectedRequest_CountsNoneOfItsUrls_AgainstTheDailyLimit()
    {
        sandbox.IndexNow.DailyLimitPerKey = 2;
        using var rejected = await SendAsync(new Case("POST", Post(urls: [.. TwoUrls, "https://other.example/x"])));
        using var accepted = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK), (rejected.StatusCode, accepted.StatusCode));
    }

    [Fact]
    public async Task TheEndpointsShareSubmissions_SoTheLimitIsPerKeyAcrossThem()
    {
        sandbox.IndexNow.DailyLimitPerKey = 3;
        using var viaIndexNow = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        using var viaBing = await SendAsync(new Case("POST", Post(urls: TwoUrls), Endpoint: "www.bing.com"));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.TooManyRequests), (viaIndexNow.StatusCode, viaBing.StatusCode));
    }

    [Fact]
    public async Task AfterHoldAfterUrls_AnAcceptedRequestIsHeldUnanswered_CountedAsReceived_UntilReleased()
    {
        sandbox.IndexNow.HoldAfterUrls = 2;
        using var first = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        var second = SendAsync(new Case("POST", Post(urls: [$"https://{Host}/third"])));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sandbox.IndexNow.Held.Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(second.IsCompleted);
        Assert.Single(sandbox.IndexNow.Held);
        Assert.Equal(3, sandbox.IndexNow.Statistics().UrlsAccepted); // the engine took the held request's URL
        Assert.Equal(1, sandbox.IndexNow.Release());
        using var answered = await second;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Empty(sandbox.IndexNow.Held);
        Assert.Null(sandbox.IndexNow.HoldAfterUrls);
    }

    [Fact]
    public async Task UrlsRefusedOverTheDailyLimit_AreCounted_AndTheMostForOneKeyInADay()
    {
        sandbox.IndexNow.DailyLimitPerKey = 3;
        using var accepted = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        using var refused = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        var statistics = sandbox.IndexNow.Statistics();
        Assert.Equal((2, 2), (statistics.UrlsRefusedOverDailyLimit, statistics.MostAcceptedForOneKeyInADay));
    }

    [Fact]
    public async Task TheDailyLimit_ResetsAtUtcMidnight()
    {
        sandbox.IndexNow.DailyLimitPerKey = 2;
        using var first = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        using var sameDay = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        time.Advance(TimeSpan.FromHours(14)); // past 00:00 UTC
        using var nextDay = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK), (first.StatusCode, sameDay.StatusCode, nextDay.StatusCode));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(null)]
    public async Task A429Storm_IsScriptable_WithOrWithoutRetryAfter(int? retryAfterSeconds)
    {
        sandbox.IndexNow.RespondNext(3, 429, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        var statuses = new List<HttpStatusCode>();
        string? header = null;
        for (var i = 0; i < 4; i++)
        {
            using var response = await SendAsync(new Case("POST", Post(urls: TwoUrls)));
            statuses.Add(response.StatusCode);
            if (i == 0)
                header = response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.Equal(retryAfterSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture), header);
    }

    private async Task<HttpResponseMessage> SendAsync(Case c)
    {
        var request = new HttpRequestMessage(new HttpMethod(c.Method), $"https://{c.Endpoint}{c.Path}{c.Query}");
        if (c.Body is not null)
            request.Content = new StringContent(c.Body as string ?? JsonSerializer.Serialize(c.Body), Encoding.UTF8);
        if (request.Content is not null)
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(c.ContentType);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task TheRequestLog_ShowsNoIndexNowKey_InTheQueryOrTheBody()
    {
        using var get = await SendAsync(new Case("GET", Query: $"?url=https://{Host}/post&key={Key}"));
        using var post = await SendAsync(new Case("POST", Post(urls: [$"https://{Host}/post"])));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (get.StatusCode, post.StatusCode)); // the engine saw the keys

        var logged = sandbox.Log.All.Where(r => r.Host == "api.indexnow.org").ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, r => Assert.DoesNotContain(Key, r.PathAndQuery + r.Body));
        Assert.Contains("key=(redacted)", logged[0].PathAndQuery);
        Assert.Contains("\"key\":\"(redacted)\"", logged[1].Body!.Replace(" ", ""));
        Assert.Contains($"https://{Host}/post", logged[1].Body); // the rest of the body is kept
    }
}
