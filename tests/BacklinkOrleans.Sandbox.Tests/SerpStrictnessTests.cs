using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>
/// The simulated SERP API (Serper's shape) and the search index behind it, as protocols.md describes them: a key is
/// required, a query is JSON, results come from what is indexed — and, like real checkers, an indexed page is missed
/// at the configured rate.
/// </summary>
public sealed class SerpStrictnessTests : SimulatedWorldTests
{
    private const string Endpoint = "https://google.serper.dev/search";
    private string key = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        key = World.Serp.CreateApiKey();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SearchAsync(object? body, string? apiKey = "", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, Endpoint);
        if (body is not null)
            request.Content = body is string text ? new StringContent(text) : JsonContent.Create(body);
        if (apiKey is not null)
            request.Headers.Add("X-API-KEY", apiKey.Length == 0 ? key : apiKey);
        using var response = await Client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, content.Length == 0 ? null : JsonNode.Parse(content));
    }

    private static List<string> Links(JsonNode? body) => [.. body!["organic"]!.AsArray().Select(r => r!["link"]!.GetValue<string>())];

    [Fact]
    public async Task WithoutAKeyItIssued_ItAnswers403()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await SearchAsync(new { q = "site:a.example" }, apiKey: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SearchAsync(new { q = "site:a.example" }, apiKey: "serp-made-up-key-0000")).Status);
        World.Serp.RevokeApiKey(key);
        Assert.Equal(HttpStatusCode.Forbidden, (await SearchAsync(new { q = "site:a.example" })).Status);
    }

    [Fact]
    public async Task OnlyAPostOfAJsonQueryIsAnswered()
    {
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SearchAsync(null, method: HttpMethod.Get)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SearchAsync("not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SearchAsync(new { num = 10 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SearchAsync(new { q = "site:a.example", num = 500 })).Status);
    }

    [Fact]
    public async Task ASiteQuery_FindsTheIndexedUrlsUnderIt_AndNothingElse()
    {
        World.Index.MarkIndexed("https://blog.example/post-1", Clock.GetUtcNow());
        World.Index.MarkIndexed("https://blog.example/post-10", Clock.GetUtcNow());
        World.Index.MarkIndexed("https://other.example/post-1", Clock.GetUtcNow());
        World.Index.MarkIndexed("https://blog.example/later", Clock.GetUtcNow().AddHours(1));

        var (status, body) = await SearchAsync(new { q = "site:blog.example/post-1", num = 10 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["https://blog.example/post-1", "https://blog.example/post-10"], Links(body));
        Assert.Equal("site:blog.example/post-1", body!["searchParameters"]!["q"]!.GetValue<string>());
        Assert.Empty(Links((await SearchAsync(new { q = "site:blog.example/later" })).Body));
        Assert.Empty(Links((await SearchAsync(new { q = "blog.example post" })).Body)); // only site: queries find pages here
    }

    [Fact]
    public async Task AUrlAnEngineAccepted_IsIndexedAfterTheConfiguredDelay_AndADroppedOneIsNot()
    {
        World.Index.IndexAfterSubmission = TimeSpan.FromMinutes(30);
        World.Index.SlowHost("slow.example", null);
        World.IndexNow.Index!.Submitted("https://fast.example/a", Clock.GetUtcNow());
        World.IndexNow.Index!.Submitted("https://slow.example/a", Clock.GetUtcNow());

        Assert.Empty(Links((await SearchAsync(new { q = "site:fast.example/a" })).Body));
        Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(["https://fast.example/a"], Links((await SearchAsync(new { q = "site:fast.example/a" })).Body));
        Assert.Empty(Links((await SearchAsync(new { q = "site:slow.example/a" })).Body));

        World.Index.Drop("https://fast.example/a", Clock.GetUtcNow());
        Assert.Empty(Links((await SearchAsync(new { q = "site:fast.example/a" })).Body));
    }

    [Fact]
    public async Task AFalseNegativeRate_LeavesThatShareOfIndexedPagesOut()
    {
        World.Index.MarkIndexed("https://blog.example/post", Clock.GetUtcNow());
        World.Serp.FalseNegativeRate = 0.3;
        var found = 0;
        for (var i = 0; i < 300; i++)
            found += Links((await SearchAsync(new { q = "site:blog.example/post" })).Body).Count;
        Assert.InRange(300 - found, 60, 120); // 30 % of 300, within a wide margin
        Assert.Equal(300 - found, World.Serp.Statistics().FalseNegatives);
    }

    [Fact]
    public async Task ScriptedAnswers_ComeFirst()
    {
        World.Serp.ScriptNext(2, 429);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SearchAsync(new { q = "site:a.example" })).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SearchAsync(new { q = "site:a.example" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SearchAsync(new { q = "site:a.example" })).Status);
        Assert.Equal((3, 1), (World.Serp.Statistics().Queries, World.Serp.Statistics().Answered));
    }
}
