using System.Collections.Concurrent;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>What one path of a simulated site answers.</summary>
public sealed record SimulatedPage(
    int Status = 200,
    string? Body = null,
    string ContentType = "text/html; charset=utf-8",
    IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan Delay = default,
    bool Gzip = false);

/// <summary>
/// A publisher's site on a simulated host name, reachable over HTTP and HTTPS. Scripted per path; any other path
/// answers 404. robots.txt is a path like any other (absent: 404, which crawlers read as "allow all").
/// </summary>
public sealed class SimulatedSite(string host)
{
    private readonly ConcurrentDictionary<string, SimulatedPage> pages = new(StringComparer.Ordinal);
    private int failuresLeft;
    private int failureStatus;

    public string Host { get; } = host;

    /// <summary>Every request waits this long before it is answered.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, connections are dropped without an answer (an unreachable host).</summary>
    public bool Unreachable { get; set; }

    /// <summary>What every path that is not scripted answers; null: 404 (a site of many pages in one setting).</summary>
    public SimulatedPage? Fallback { get; set; }

    public SimulatedSite Page(string path, SimulatedPage page)
    {
        pages[path] = page;
        return this;
    }

    public SimulatedSite Html(string path, string html, int status = 200) => Page(path, new SimulatedPage(status, html));

    public SimulatedSite Article(string path, params string[] outboundLinks) => Html(path,
        $"<!doctype html><html><head><title>Article {path}</title></head><body><h1>Article</h1>"
        + string.Concat(outboundLinks.Select(l => $"<p><a href=\"{l}\">a link</a></p>")) + "</body></html>");

    public SimulatedSite Status(string path, int status) => Page(path, new SimulatedPage(status, $"<html><body>{status}</body></html>"));

    public SimulatedSite Redirect(string path, string location, int status = 301) =>
        Page(path, new SimulatedPage(status, "", Headers: new Dictionary<string, string> { ["Location"] = location }));

    public SimulatedSite NoindexMeta(string path) =>
        Html(path, "<!doctype html><html><head><meta name=\"robots\" content=\"noindex, follow\"></head><body>hidden</body></html>");

    public SimulatedSite NoindexHeader(string path) => Page(path, new SimulatedPage(200, "<html><body>hidden</body></html>",
        Headers: new Dictionary<string, string> { ["X-Robots-Tag"] = "noindex" }));

    /// <summary>A "not found" page served with 200, as many CMSs do.</summary>
    public SimulatedSite Soft404(string path) => Html(path, "<html><head><title>Page not found</title></head><body><h1>404 - Page not found</h1><p>Sorry, nothing here.</p></body></html>");

    public SimulatedSite Robots(string content) => Page("/robots.txt", new SimulatedPage(200, content, "text/plain; charset=utf-8"));

    public SimulatedSite RobotsStatus(int status) => Page("/robots.txt", new SimulatedPage(status, "", "text/plain"));

    /// <summary>Serves an IndexNow key file: <c>/{key}.txt</c>, or the given path (a keyLocation).</summary>
    public SimulatedSite KeyFile(string key, string? path = null, string? content = null) =>
        Page(path ?? $"/{key}.txt", new SimulatedPage(200, content ?? key, "text/plain; charset=utf-8"));

    public SimulatedSite Remove(string path)
    {
        pages.TryRemove(path, out _);
        return this;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> (a burst of 5xx).</summary>
    public SimulatedSite FailNext(int count, int status = 503)
    {
        failureStatus = status;
        Volatile.Write(ref failuresLeft, count);
        return this;
    }

    internal SimulatedPage Answer(string path)
    {
        while (true)
        {
            var left = Volatile.Read(ref failuresLeft);
            if (left <= 0)
                break;
            if (Interlocked.CompareExchange(ref failuresLeft, left - 1, left) == left)
                return new SimulatedPage(failureStatus, $"<html><body>{failureStatus}</body></html>");
        }
        return Peek(path);
    }

    /// <summary>What <paramref name="path"/> serves, without taking a scripted failure (what an outside crawler would see in the end).</summary>
    internal SimulatedPage Peek(string path) =>
        pages.TryGetValue(path, out var page) ? page
        : path != "/robots.txt" && Fallback is { } fallback ? fallback
        : new SimulatedPage(404, "<html><body>Not Found</body></html>");
}
