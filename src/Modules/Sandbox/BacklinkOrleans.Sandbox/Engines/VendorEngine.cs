using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>
/// Answers the paid vendor's API by the rules of protocols.md (SpeedyIndex v2 shape); see <see cref="VendorSimulation"/>.
/// <paramref name="pageState"/> tells what a URL's page shows the vendor's crawler: 0 (a page), −1 (noindex), or its HTTP status.
/// </summary>
internal sealed class VendorEngine(VendorSimulation simulation, SearchIndex index, Func<string, int> pageState, TimeProvider time)
{
    private sealed record Answer(int Status, JsonObject Body, bool Drop = false, VendorTask? Created = null);

    public async Task HandleAsync(HttpContext context, string? body)
    {
        if (simulation.Latency > TimeSpan.Zero)
            await Task.Delay(simulation.Latency, time, context.RequestAborted);
        var key = context.Request.Headers.Authorization.ToString();
        var answer = Decide(context.Request, key, body);
        simulation.Record(new VendorRequest(time.GetUtcNow(), context.Request.Path.Value ?? "", key.Length == 0 ? null : key, answer.Status,
            answer.Body["code"]?.GetValue<int>()));
        if (answer.Created is { } created && simulation.HoldCreated is { } hold)
            await hold(created);
        if (answer.Drop)
        {
            context.Abort(); // the task exists; its creator never hears of it
            return;
        }
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.Body.ToJsonString());
    }

    private Answer Decide(HttpRequest request, string key, string? body)
    {
        var path = request.Path.Value ?? "";
        if (key.Length == 0 || !simulation.Knows(key))
            return new Answer(401, Message(-1, "Unauthorized: the Authorization header must be an API key."));
        if (path == "/v2/account")
        {
            if (!HttpMethods.IsGet(request.Method))
                return new Answer(405, Message(-1, "Method not allowed."));
            var (indexer, checker) = simulation.Balance(key)!.Value;
            return new Answer(200, new JsonObject { ["code"] = 0, ["balance"] = new JsonObject { ["indexer"] = indexer, ["checker"] = checker } });
        }
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries); // v2 task google {indexer|checker} {action} [page]
        if (parts.Length < 5 || parts[0] != "v2" || parts[1] != "task" || parts[2] != "google" || parts[3] is not ("indexer" or "checker"))
            return new Answer(404, Message(-1, "Not found."));
        var (type, action) = (parts[3], parts[4]);
        if (action == "list" && parts.Length == 6)
            return HttpMethods.IsGet(request.Method) ? List(key, type, parts[5]) : new Answer(405, Message(-1, "Method not allowed."));
        if (parts.Length != 5 || action is not ("create" or "status" or "fullreport"))
            return new Answer(404, Message(-1, "Not found."));
        if (!HttpMethods.IsPost(request.Method))
            return new Answer(405, Message(-1, "Method not allowed."));
        JsonObject json;
        try
        {
            json = JsonNode.Parse(body ?? "") as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return new Answer(400, Message(-1, "Bad request: the body must be a JSON object."));
        }
        return action switch
        {
            "create" => Create(key, type, json),
            "status" => Status(key, type, json),
            _ => FullReport(key, type, json),
        };
    }

    private Answer Create(string key, string type, JsonObject json)
    {
        var urls = (json["urls"] as JsonArray)?.Select(u => u?.GetValueKind() == JsonValueKind.String ? u.GetValue<string>() : null).ToList();
        if (urls is null || urls.Count == 0 || urls.Any(u => string.IsNullOrWhiteSpace(u) || !Uri.TryCreate(u, UriKind.Absolute, out _)))
            return new Answer(400, Message(-1, "Bad request: \"urls\" must be a non-empty array of absolute URLs."));
        if (urls.Count > VendorSimulation.MaxUrlsPerTask)
            return new Answer(400, Message(-1, $"Bad request: at most {VendorSimulation.MaxUrlsPerTask} URLs per task."));
        var title = json["title"]?.GetValueKind() == JsonValueKind.String ? json["title"]!.GetValue<string>() : "";
        if (simulation.TryTakeScripted(out var scripted) && scripted != VendorSimulation.CreatedButLost)
            return scripted >= 500 ? new Answer(scripted, Message(-1, "Internal server error.")) : new Answer(200, Message(scripted, "Server is overloaded, try later."));
        if (!simulation.TryCharge(key, type, urls.Count))
            return new Answer(200, Message(1, "Balance is too low."));
        var now = time.GetUtcNow();
        var task = simulation.AddTask(key, type, title, urls!, now);
        if (type == "indexer")
        {
            foreach (var url in task.Urls)
                index.Submitted(url, now);
        }
        return new Answer(200, new JsonObject { ["code"] = 0, ["task_id"] = task.Id, ["type"] = $"google/{type}" }, Drop: scripted == VendorSimulation.CreatedButLost,
            Created: task);
    }

    private Answer Status(string key, string type, JsonObject json)
    {
        var ids = (json["task_ids"] as JsonArray)?.Select(i => i?.GetValueKind() == JsonValueKind.String ? i.GetValue<string>() : null).ToList();
        if (ids is null || ids.Count == 0 || ids.Any(i => i is null))
            return new Answer(400, Message(-1, "Bad request: \"task_ids\" must be a non-empty array of task ids."));
        if (ids.Count > VendorSimulation.MaxTaskIdsPerStatus)
            return new Answer(400, Message(-1, $"Bad request: at most {VendorSimulation.MaxTaskIdsPerStatus} task ids."));
        var now = time.GetUtcNow();
        var result = new JsonArray();
        foreach (var task in ids.Select(id => simulation.Task(key, id!)).OfType<VendorTask>().Where(t => t.Type == type))
        {
            var processed = task.ProcessedAt(now);
            result.Add(new JsonObject
            {
                ["id"] = task.Id,
                ["size"] = task.Urls.Count,
                ["processed_count"] = processed,
                ["indexed_count"] = task.Urls.Take(processed).Count(u => Indexed(u, task, now)),
                ["type"] = $"google/{type}",
                ["title"] = task.Title,
                ["created_at"] = task.CreatedAt.ToString("O"),
                ["is_completed"] = task.IsCompletedAt(now),
            });
        }
        return new Answer(200, new JsonObject { ["code"] = 0, ["result"] = result });
    }

    private Answer FullReport(string key, string type, JsonObject json)
    {
        var id = json["task_id"]?.GetValueKind() == JsonValueKind.String ? json["task_id"]!.GetValue<string>() : null;
        if (id is null)
            return new Answer(400, Message(-1, "Bad request: \"task_id\" is required."));
        if (simulation.Task(key, id) is not { } task || task.Type != type)
            return new Answer(200, Message(2, "Task not found."));
        var now = time.GetUtcNow();
        var processed = task.Urls.Take(task.ProcessedAt(now)).ToList();
        var indexed = new JsonArray();
        var unindexed = new JsonArray();
        foreach (var url in processed)
        {
            if (Indexed(url, task, now))
                indexed.Add(new JsonObject { ["url"] = url, ["title"] = $"Page {url}" });
            else
                unindexed.Add(new JsonObject { ["url"] = url, ["error_code"] = pageState(url) });
        }
        return new Answer(200, new JsonObject
        {
            ["code"] = 0,
            ["result"] = new JsonObject
            {
                ["id"] = task.Id,
                ["type"] = $"google/{type}",
                ["title"] = task.Title,
                ["size"] = task.Urls.Count,
                ["processed_count"] = processed.Count,
                ["created_at"] = task.CreatedAt.ToString("O"),
                ["indexed_links"] = indexed,
                ["unindexed_links"] = unindexed,
            },
        });
    }

    private Answer List(string key, string type, string pageText)
    {
        if (!int.TryParse(pageText, out var page) || page < 0)
            return new Answer(400, Message(-1, "Bad request: the page is a number from 0."));
        var all = simulation.Tasks.Where(t => t.ApiKey == key && t.Type == type).Reverse().ToList();
        var lastPage = Math.Max(0, (all.Count - 1) / VendorSimulation.TasksPerPage);
        var result = new JsonArray([.. all.Skip(page * VendorSimulation.TasksPerPage).Take(VendorSimulation.TasksPerPage).Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["type"] = $"google/{type}",
            ["title"] = t.Title,
            ["size"] = t.Urls.Count,
            ["processed_count"] = t.ProcessedAt(time.GetUtcNow()),
            ["created_at"] = t.CreatedAt.ToString("O"),
        })]);
        return new Answer(200, new JsonObject { ["code"] = 0, ["page"] = page, ["last_page"] = lastPage, ["result"] = result });
    }

    /// <summary>Indexed when the index says so once the vendor processed the URL (a page that is not one never is).</summary>
    private bool Indexed(string url, VendorTask task, DateTimeOffset now) => pageState(url) == 0 && index.IsIndexed(url, now > task.CreatedAt ? now : task.CreatedAt);

    private static JsonObject Message(int code, string message) => new() { ["code"] = code, ["message"] = message };
}
