using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>Answers the SERP API by the rules of protocols.md; see <see cref="SerpSimulation"/>.</summary>
internal sealed class SerpEngine(SerpSimulation simulation, SearchIndex index, TimeProvider time)
{
    public async Task HandleAsync(HttpContext context, string? body)
    {
        if (simulation.Latency > TimeSpan.Zero)
            await Task.Delay(simulation.Latency, time, context.RequestAborted);
        var key = context.Request.Headers["X-API-KEY"].ToString();
        var (status, answer, query, results, dropped) = Decide(context.Request, key, body);
        simulation.Record(new SerpQuery(time.GetUtcNow(), key.Length == 0 ? null : key, query, status, results, dropped));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private (int Status, JsonObject Answer, string? Query, int Results, bool Dropped) Decide(HttpRequest request, string key, string? body)
    {
        if (request.Path != "/search")
            return (404, Message("Not found.", 404), null, 0, false);
        if (!HttpMethods.IsPost(request.Method))
            return (405, Message("Method not allowed.", 405), null, 0, false);
        if (key.Length == 0 || !simulation.Knows(key))
            return (403, Message("Unauthorized.", 403), null, 0, false);
        string? q;
        int num;
        try
        {
            var json = JsonNode.Parse(body ?? "") as JsonObject;
            q = json?["q"]?.GetValue<string>();
            num = json?["num"]?.GetValue<int>() ?? 10;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (400, Message("Bad request: the body must be JSON with a string \"q\".", 400), null, 0, false);
        }
        if (string.IsNullOrWhiteSpace(q) || num is < 1 or > 100)
            return (400, Message("Bad request: \"q\" is required and \"num\" is 1 to 100.", 400), q, 0, false);
        if (simulation.TryTakeScripted(out var scripted))
            return (scripted, Message("scripted answer", scripted), q, 0, false);

        var now = time.GetUtcNow();
        var matches = q.StartsWith("site:", StringComparison.Ordinal) ? index.Matching(q["site:".Length..].Trim(), now) : [];
        var dropped = matches.Count > 0 && simulation.MissThisTime();
        var shown = (dropped ? matches.Skip(1) : matches).Take(num).ToList();
        var organic = new JsonArray([.. shown.Select((link, i) => (JsonNode)new JsonObject
        {
            ["title"] = $"Page {link}",
            ["link"] = link,
            ["snippet"] = "A simulated result.",
            ["position"] = i + 1,
        })]);
        var answer = new JsonObject
        {
            ["searchParameters"] = new JsonObject { ["q"] = q, ["type"] = "search", ["num"] = num, ["engine"] = "google" },
            ["organic"] = organic,
            ["credits"] = 1,
        };
        return (200, answer, q, shown.Count, dropped);
    }

    private static JsonObject Message(string message, int status) => new() { ["message"] = message, ["statusCode"] = status };
}
