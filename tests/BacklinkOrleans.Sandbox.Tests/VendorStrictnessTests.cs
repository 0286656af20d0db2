using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>
/// The simulated paid vendor (SpeedyIndex v2 shape) as protocols.md describes it: a key is required, credits are
/// taken per URL when a task is created (code 1 when they do not cover it), tasks hold at most 10,000 URLs and take
/// their processing time, reports say what the index and the pages say, and the task list finds a task by its title.
/// </summary>
public sealed class VendorStrictnessTests : SimulatedWorldTests
{
    private const string Api = "https://api.speedyindex.com";
    private string key = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        key = World.Vendor.CreateAccount(indexerCredits: 20, checkerCredits: 5);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null, string? apiKey = "")
    {
        using var request = new HttpRequestMessage(method, Api + path);
        if (body is not null)
            request.Content = body is string text ? new StringContent(text) : JsonContent.Create(body);
        if (apiKey is not null)
            request.Headers.TryAddWithoutValidation("Authorization", apiKey.Length == 0 ? key : apiKey);
        using var response = await Client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, content.Length == 0 ? null : JsonNode.Parse(content));
    }

    private Task<(HttpStatusCode Status, JsonNode? Body)> CreateAsync(string type, string title, params string[] urls) =>
        SendAsync(HttpMethod.Post, $"/v2/task/google/{type}/create", new { title, urls });

    private static int Code(JsonNode? body) => body!["code"]!.GetValue<int>();

    [Fact]
    public async Task WithoutAKeyItIssued_ItAnswers401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2/account", apiKey: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2/account", apiKey: "not-a-key-it-issued")).Status);
    }

    [Fact]
    public async Task TheAccount_ShowsBothBalances_AndATaskTakesOneCreditAUrl()
    {
        var (_, before) = await SendAsync(HttpMethod.Get, "/v2/account");
        Assert.Equal((0, 20L, 5L), (Code(before), before!["balance"]!["indexer"]!.GetValue<long>(), before["balance"]!["checker"]!.GetValue<long>()));

        var (status, created) = await CreateAsync("indexer", "b-1", "https://a.example/1", "https://a.example/2", "https://a.example/3");

        Assert.Equal((HttpStatusCode.OK, 0, "google/indexer"), (status, Code(created), created!["type"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(created["task_id"]!.GetValue<string>()));
        Assert.Equal((17L, 5L), World.Vendor.Balance(key));
    }

    [Fact]
    public async Task ATaskTheBalanceDoesNotCover_IsRefusedWithCode1_AndTakesNothing()
    {
        var urls = Enumerable.Range(0, 21).Select(i => $"https://a.example/{i}").ToArray();

        var (status, body) = await CreateAsync("indexer", "b-big", urls);

        Assert.Equal((HttpStatusCode.OK, 1), (status, Code(body)));
        Assert.Empty(World.Vendor.Tasks);
        Assert.Equal((20L, 5L), World.Vendor.Balance(key));
    }

    [Fact]
    public async Task BadRequests_AreRefused()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, "/v2/task/google/indexer/create", "not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CreateAsync("indexer", "t", [])).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CreateAsync("indexer", "t", "not a url")).Status);
        World.Vendor.TopUp(key, 20_000);
        Assert.Equal(HttpStatusCode.BadRequest, (await CreateAsync("indexer", "t", [.. Enumerable.Range(0, 10_001).Select(i => $"https://a.example/{i}")])).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Get, "/v2/task/google/indexer/create")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/v2/task/google/pusher/create", new { urls = new[] { "https://a.example/" } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, "/v2/task/google/indexer/status",
            new { task_ids = Enumerable.Range(0, 1_001).Select(i => $"t{i}").ToArray() })).Status);
        Assert.Empty(World.Vendor.Tasks);
    }

    [Fact]
    public async Task OverloadAnswers_AreCodeMinus2_AndCreateNothing()
    {
        World.Vendor.ScriptCreates(1, -2);

        var (status, body) = await CreateAsync("indexer", "b-1", "https://a.example/1");

        Assert.Equal((HttpStatusCode.OK, -2), (status, Code(body)));
        Assert.Empty(World.Vendor.Tasks);
        Assert.Equal(0, Code((await CreateAsync("indexer", "b-1", "https://a.example/1")).Body));
    }

    [Fact]
    public async Task ATask_IsProcessedOverItsProcessingTime_AndItsReportSaysWhatTheIndexAndThePagesSay()
    {
        World.Site("a.example").Article("/ok").NoindexMeta("/hidden").Status("/gone", 410);
        World.Index.SlowHost("slow.example", null);
        World.Site("slow.example").Article("/never");
        var (_, created) = await CreateAsync("indexer", "b-7", "https://a.example/ok", "https://a.example/hidden", "https://a.example/gone", "https://slow.example/never");
        var id = created!["task_id"]!.GetValue<string>();

        Clock.Advance(TimeSpan.FromHours(1));
        var (_, half) = await SendAsync(HttpMethod.Post, "/v2/task/google/indexer/status", new { task_ids = new[] { id } });
        var task = half!["result"]![0]!;
        Assert.Equal((4, 2, false), (task["size"]!.GetValue<int>(), task["processed_count"]!.GetValue<int>(), task["is_completed"]!.GetValue<bool>()));

        Clock.Advance(TimeSpan.FromHours(1));
        var (_, report) = await SendAsync(HttpMethod.Post, "/v2/task/google/indexer/fullreport", new { task_id = id });
        var result = report!["result"]!;
        Assert.Equal(["https://a.example/ok"], result["indexed_links"]!.AsArray().Select(l => l!["url"]!.GetValue<string>()));
        Assert.Equal(new Dictionary<string, int> { ["https://a.example/hidden"] = -1, ["https://a.example/gone"] = 410, ["https://slow.example/never"] = 0 },
            result["unindexed_links"]!.AsArray().ToDictionary(l => l!["url"]!.GetValue<string>(), l => l!["error_code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task TheTaskList_IsNewestFirst_WithTitles_AndOnlyTheAccountsOwn()
    {
        var other = World.Vendor.CreateAccount(10);
        await CreateAsync("indexer", "first", "https://a.example/1");
        await SendAsync(HttpMethod.Post, "/v2/task/google/indexer/create", new { title = "someone else's", urls = new[] { "https://a.example/1" } }, other);
        await CreateAsync("indexer", "second", "https://a.example/2");
        await CreateAsync("checker", "a check", "https://a.example/2");

        var (_, list) = await SendAsync(HttpMethod.Get, "/v2/task/google/indexer/list/0");

        Assert.Equal(["second", "first"], list!["result"]!.AsArray().Select(t => t!["title"]!.GetValue<string>()));
        Assert.Equal(0, list["last_page"]!.GetValue<int>());
        Assert.Equal((18L, 4L), World.Vendor.Balance(key)); // the checker's credits are its own
    }
}
