using System.Net.Http.Headers;
using System.Text.Json;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace BacklinkOrleans.Submission.Vendor;

/// <summary>Which of the vendor's services a task is for: pushing URLs to the index, or checking whether they are in it.</summary>
internal enum VendorService
{
    Indexer,
    Checker,
}

/// <summary>
/// One answer of the vendor's API: the HTTP status (0: no answer, the request may have arrived; −1: never sent), the
/// API's own <c>code</c> (0 ok, 1 balance too low, −2 overloaded), the JSON, or an excerpt of what went wrong (the key
/// redacted).
/// </summary>
internal sealed record VendorAnswer(int Status, int? Code, JsonElement? Json, string? Excerpt)
{
    public bool Ok => Status == 200 && Code == 0 && Json is not null;

    /// <summary>The service answered; a failure (not <see cref="Ok"/>) is its word, not a lost connection.</summary>
    public bool Answered => Status > 0;

    /// <summary>The request never left (no connection, an open circuit).</summary>
    public bool NeverSent => Status < 0;

    public bool KeyRefused => Status is 401 or 403;

    public string Describe => Status switch
    {
        0 => $"no answer: {Excerpt}",
        < 0 => $"not sent: {Excerpt}",
        _ when Code is { } code => $"HTTP {Status}, code {code}: {Excerpt}",
        _ => $"HTTP {Status}: {Excerpt}",
    };
}

/// <summary>A task as the vendor lists or reports it.</summary>
internal sealed record VendorTaskInfo(string Id, string Title, int Size, int Processed, bool Completed, DateTimeOffset? CreatedAt);

/// <summary>A finished task's full report: the indexed URLs, and the others with the vendor's error code (−1 noindex, 0 none, else the page's HTTP status).</summary>
internal sealed record VendorReport(IReadOnlyList<string> Indexed, IReadOnlyList<(string Url, int ErrorCode)> Unindexed);

/// <summary>
/// The vendor's API (protocols.md, SpeedyIndex v2 shape): header <c>Authorization: &lt;key&gt;</c>; the account's
/// balance, task creation, status, full report and the task list (newest first). Never throws for what the API
/// answered or a lost connection; answers are capped at 8 MiB (a 10,000-URL report).
/// </summary>
internal sealed class VendorClient(IHttpClientFactory http, IOptions<VendorOptions> options)
{
    public const string ClientName = "vendor";
    private const int MaxAnswerBytes = 8 * 1024 * 1024;

    private static string Segment(VendorService service) => service == VendorService.Indexer ? "indexer" : "checker";

    /// <summary>The account's credits for <paramref name="service"/>, or why they could not be read.</summary>
    public async Task<(long? Balance, VendorAnswer Answer)> BalanceAsync(string key, VendorService service, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, "/v2/account", key, null, cancellationToken);
        return answer.Ok && answer.Json!.Value.TryGetProperty("balance", out var balance) && balance.ValueKind == JsonValueKind.Object
            && balance.TryGetProperty(Segment(service), out var credits) && credits.TryGetInt64(out var value)
            ? (value, answer)
            : (null, answer);
    }

    /// <summary>Creates a task titled <paramref name="title"/>; its id when the API took it.</summary>
    public async Task<(string? TaskId, VendorAnswer Answer)> CreateAsync(string key, VendorService service, string title, IReadOnlyList<string> urls,
        CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"/v2/task/google/{Segment(service)}/create", key, new { title, urls }, cancellationToken);
        return (answer.Ok && answer.Json!.Value.TryGetProperty("task_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null, answer);
    }

    /// <summary>How a task stands; null when the API did not say (see the answer).</summary>
    public async Task<(VendorTaskInfo? Task, VendorAnswer Answer)> StatusAsync(string key, VendorService service, string taskId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"/v2/task/google/{Segment(service)}/status", key, new { task_ids = new[] { taskId } }, cancellationToken);
        if (!answer.Ok || !answer.Json!.Value.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
            return (null, answer);
        return (result.EnumerateArray().Select(Task).FirstOrDefault(t => t?.Id == taskId), answer);
    }

    /// <summary>A task's full report; null when the API did not give one (see the answer).</summary>
    public async Task<(VendorReport? Report, VendorAnswer Answer)> FullReportAsync(string key, VendorService service, string taskId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"/v2/task/google/{Segment(service)}/fullreport", key, new { task_id = taskId }, cancellationToken);
        if (!answer.Ok || !answer.Json!.Value.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            return (null, answer);
        var indexed = Array(result, "indexed_links").Select(l => Text(l, "url")).OfType<string>().ToList();
        var unindexed = Array(result, "unindexed_links").Select(l => (Url: Text(l, "url"), Code: l.TryGetProperty("error_code", out var c) && c.TryGetInt32(out var n) ? n : 0))
            .Where(l => l.Url is not null).Select(l => (l.Url!, l.Code)).ToList();
        return (new VendorReport(indexed, unindexed), answer);
    }

    /// <summary>
    /// The task titled <paramref name="title"/> (titles are our request ids), looked up in the task list, newest first,
    /// until tasks older than <paramref name="notBefore"/>; null with an answer that is not OK when the list could not be read.
    /// </summary>
    public async Task<(VendorTaskInfo? Task, VendorAnswer Answer)> FindByTitleAsync(string key, VendorService service, string title, DateTimeOffset notBefore,
        CancellationToken cancellationToken)
    {
        VendorAnswer answer = new(0, null, null, "not asked");
        for (var page = 0; page < options.Value.MaxListPages; page++)
        {
            answer = await SendAsync(HttpMethod.Get, $"/v2/task/google/{Segment(service)}/list/{page}", key, null, cancellationToken);
            if (!answer.Ok || !answer.Json!.Value.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
                return (null, answer with { Code = answer.Code is 0 ? -1 : answer.Code });
            var tasks = result.EnumerateArray().Select(Task).OfType<VendorTaskInfo>().ToList();
            if (tasks.FirstOrDefault(t => t.Title == title) is { } found)
                return (found, answer);
            var lastPage = answer.Json.Value.TryGetProperty("last_page", out var last) && last.TryGetInt32(out var n) ? n : page;
            if (tasks.Count == 0 || page >= lastPage || tasks.Min(t => t.CreatedAt ?? DateTimeOffset.MaxValue) < notBefore)
                break;
        }
        return (null, answer);
    }

    private static VendorTaskInfo? Task(JsonElement t) =>
        t.ValueKind == JsonValueKind.Object && Text(t, "id") is { } id
            ? new VendorTaskInfo(id, Text(t, "title") ?? "", Number(t, "size"), Number(t, "processed_count"),
                t.TryGetProperty("is_completed", out var done) && done.ValueKind == JsonValueKind.True,
                DateTimeOffset.TryParse(Text(t, "created_at"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null)
            : null;

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object) : [];

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt32(out var n) ? n : 0;

    private async Task<VendorAnswer> SendAsync(HttpMethod method, string path, string key, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.Value.Endpoint, path));
        request.Headers.TryAddWithoutValidation("Authorization", key);
        var content = body is null ? null : new TrackedContent(JsonSerializer.SerializeToUtf8Bytes(body));
        if (content is not null)
        {
            request.Content = content;
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        try
        {
            using var response = await http.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var (text, truncated) = await CappedBody.ReadTextAsync(response, MaxAnswerBytes, cancellationToken);
            if (truncated)
                return new VendorAnswer(502, null, null, "the answer was larger than 8 MiB");
            try
            {
                using var json = JsonDocument.Parse(text);
                var root = json.RootElement.Clone();
                int? code = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
                var message = root.ValueKind == JsonValueKind.Object ? Text(root, "message") : null;
                return new VendorAnswer(status, code, root, Redact(message ?? (status == 200 ? null : Excerpt(text)), key));
            }
            catch (JsonException)
            {
                return new VendorAnswer(status == 200 ? 502 : status, null, null, Redact(Excerpt(text), key));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException or Polly.CircuitBreaker.BrokenCircuitException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new VendorAnswer(ChannelHttp.NeverSent(e) || content is { Started: false } ? -1 : 0, null, null, Redact(e.Message, key));
        }
    }

    private static string Excerpt(string text) => text.Length > 300 ? text[..300] : text;

    private static string? Redact(string? text, string key) =>
        string.IsNullOrEmpty(text) ? null : text.Replace(key, "<key>", StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
}
