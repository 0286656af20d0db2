using System.Text.Json;
using System.Text.RegularExpressions;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>Answers IndexNow requests by the rules of protocols.md; see <see cref="IndexNowSimulation"/>.</summary>
internal sealed partial class IndexNowEngine(IndexNowSimulation simulation, TimeProvider time, Func<Uri, Task<(int Status, string Body)>> fetch)
{
    private sealed record Request(string? Host, string? Key, string? KeyLocation, IReadOnlyList<string> Urls);

    public async Task HandleAsync(HttpContext context, string? body)
    {
        var endpoint = context.Request.Host.Host.ToLowerInvariant();
        var method = context.Request.Method;
        var (status, reason, request) = await DecideAsync(context, body);
        var client = context.Request.Headers[Server.SandboxConnector.ClientHeader].ToString();
        var submission = new IndexNowSubmission(time.GetUtcNow(), endpoint, method, request?.Host, request?.Key, request?.KeyLocation,
            request?.Urls ?? [], status, reason, client.Length == 0 ? null : client);
        if (simulation.BeforeAnswer is { } hook)
            await hook(submission);
        // Received before it is held: a held request's URLs count as accepted, whatever becomes of its answer.
        var hold = simulation.WaitIfHeldAsync(submission);
        simulation.Record(submission);
        try
        {
            await hold.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // the sender is gone (killed while its request was held): nobody to answer
        }
        context.Response.StatusCode = status;
        if (reason is not null)
            await context.Response.WriteAsync(reason);
    }

    private async Task<(int Status, string? Reason, Request? Request)> DecideAsync(HttpContext context, string? body)
    {
        if (context.Request.Path != "/indexnow")
            return (404, "Not Found", null);
        if (simulation.Latency > TimeSpan.Zero)
            await Task.Delay(simulation.Latency, time, context.RequestAborted);
        // Parsed first, so that scripted and failed answers still show what was sent in the log.
        var (request, malformed) = Read(context.Request, body);
        if (simulation.TryTakeScripted(out var scripted))
        {
            if (scripted.RetryAfter is { } retryAfter)
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (scripted.Status, "scripted answer", request);
        }
        if (simulation.RandomServerError())
            return (503, "Service Unavailable", request);
        if (malformed is not null)
            return malformed.Value;
        if (request is null)
            return (405, "Method Not Allowed", null);

        if (!KeyFormat().IsMatch(request.Key!))
            return (422, "the key does not match the format [a-zA-Z0-9-]{8,128}", request);
        string? folder = null;
        if (request.KeyLocation is not null)
        {
            if (!Uri.TryCreate(request.KeyLocation, UriKind.Absolute, out var location) || !SameHost(location.Host, request.Host!))
                return (422, "keyLocation is not on the host", request);
            folder = location.AbsolutePath[..(location.AbsolutePath.LastIndexOf('/') + 1)];
        }
        foreach (var submitted in request.Urls)
        {
            if (!Uri.TryCreate(submitted, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return (422, $"'{submitted}' is not an absolute http(s) URL", request);
            if (!SameHost(uri.Host, request.Host!))
                return (422, $"'{submitted}' is not on host {request.Host}", request);
            if (folder is not null && !uri.AbsolutePath.StartsWith(folder, StringComparison.Ordinal))
                return (422, $"'{submitted}' is outside the key location's folder {folder}", request);
        }

        var keyFile = new Uri(request.KeyLocation ?? $"https://{request.Host}/{request.Key}.txt");
        if (!KeyFileRecentlySeen(keyFile, request.Key!))
        {
            var (fileStatus, content) = await fetch(keyFile);
            if (fileStatus != 200 || content.Trim() != request.Key)
                return (403, fileStatus == 200 ? "the key file's content differs from the key" : $"the key file {keyFile} answered {fileStatus}", request);
            verifiedKeyFiles[(keyFile.AbsoluteUri, request.Key!)] = time.GetUtcNow();
        }

        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var allowed = true;
        simulation.UsedPerKeyAndDay.AddOrUpdate((request.Key!, day), request.Urls.Count, (_, used) =>
        {
            allowed = used + request.Urls.Count <= simulation.DailyLimitPerKey;
            return allowed ? used + request.Urls.Count : used;
        });
        if (!allowed || request.Urls.Count > simulation.DailyLimitPerKey)
            return (429, IndexNowSimulation.DailyLimitReason, request);

        var firstTime = simulation.KeysSeen.TryAdd(request.Key!, 0);
        return (simulation.KeyValidationPending && firstTime ? 202 : 200, null, request);
    }

    /// <summary>Like the real engines, a key file seen holding the key is not fetched again for a while (a refused one is, every time).</summary>
    private static readonly TimeSpan KeyFileCache = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string File, string Key), DateTimeOffset> verifiedKeyFiles = new();

    private bool KeyFileRecentlySeen(Uri keyFile, string key) =>
        verifiedKeyFiles.TryGetValue((keyFile.AbsoluteUri, key), out var at) && time.GetUtcNow() - at is var age && age >= TimeSpan.Zero && age < KeyFileCache;

    /// <summary>The request as sent (null for other methods), and the answer when it is malformed.</summary>
    private static (Request? Request, (int Status, string? Reason, Request? Request)? Malformed) Read(HttpRequest http, string? body)
    {
        switch (http.Method)
        {
            case "GET":
                var url = http.Query["url"].ToString();
                var key = http.Query["key"].ToString();
                if (url.Length == 0 || key.Length == 0)
                    return (null, (400, "url and key are required", null));
                if (!Uri.TryCreate(url, UriKind.Absolute, out var single))
                    return (null, (400, "url is not an absolute URL", null));
                return (new Request(single.Host, key, NullIfEmpty(http.Query["keyLocation"].ToString()), [url]), null);
            case "POST":
                if (!IsJson(http.ContentType))
                    return (null, (400, "Content-Type must be application/json", null));
                var parsed = Parse(body);
                if (parsed is null)
                    return (null, (400, "the body is not valid JSON with host, key and urlList", null));
                if (parsed.Host is null || parsed.Key is null || parsed.Urls.Count == 0)
                    return (parsed, (400, "host, key and a non-empty urlList are required", parsed));
                if (parsed.Urls.Count > IndexNowSimulation.MaxUrlsPerRequest)
                    return (parsed, (400, $"urlList has more than {IndexNowSimulation.MaxUrlsPerRequest} URLs", parsed));
                return (parsed, null);
            default:
                return (null, null);
        }
    }

    private static Request? Parse(string? body)
    {
        try
        {
            using var document = JsonDocument.Parse(body ?? "");
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var urls = root.TryGetProperty("urlList", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(u => u.ValueKind == JsonValueKind.String ? u.GetString()! : u.GetRawText()).ToList()
                : [];
            return new Request(Text("host"), Text("key"), Text("keyLocation"), urls);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType?.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase) == true;

    private static bool SameHost(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [GeneratedRegex("^[a-zA-Z0-9-]{8,128}$")]
    private static partial Regex KeyFormat();
}
