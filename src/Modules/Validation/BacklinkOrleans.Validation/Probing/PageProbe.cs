using System.Net;
using AngleSharp.Html.Parser;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Validation.Probing;

/// <summary>
/// What the page probe found: a verdict for the lifecycle, or null when the page must be tried again later. When a
/// target was named and the page could be read: the first link to it (<see cref="Link"/>; null: none).
/// </summary>
internal sealed record ProbeResult(ValidationVerdict? Verdict, string Evidence, LinkToTarget? Link = null, bool PageRead = false);

/// <summary>A link to the campaign's target on the page: its anchor text and rel attribute.</summary>
internal sealed record LinkToTarget(string Anchor, string Rel);

/// <summary>
/// Fetches a backlink page as a crawler would and judges it: redirects followed by hand (at most 5 hops, each a
/// new, guarded request), 404/410 → http-not-found, 5xx and timeouts retried with backoff → http-error, a redirect to
/// another host → redirect-off-host, noindex in an X-Robots-Tag header (plain or crawler-prefixed) or a robots meta
/// tag → noindex, a "not found" page served with 200 → soft-404, and — when the campaign names a target — whether
/// the page still links to it (missing → link-missing; nofollow is noted). Bodies are capped after decompression.
/// </summary>
internal sealed class PageProbe(IHttpClientFactory http, TimeProvider time)
{
    public const int MaxRedirects = 5;
    public const int MaxBodyBytes = 2 * 1024 * 1024;
    public const string UserAgent = "BacklinkOrleans-Validator/1.0 (+https://github.com/backlink-orleans; checks pages before indexing requests)";
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>The whole probe — every hop, retry and body read — ends within this, however slowly a server answers.</summary>
    public static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(90);

    public async Task<ProbeResult> ProbeAsync(string url, string? targetUrl, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(MaxProbeTime);
        try
        {
            return await ProbeCoreAsync(url, targetUrl, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(FailureReasons.HttpError, $"no complete answer within {MaxProbeTime.TotalSeconds:0} s", $"GET {url}: too slow");
        }
    }

    private async Task<ProbeResult> ProbeCoreAsync(string url, string? targetUrl, CancellationToken cancellationToken)
    {
        using var client = http.CreateClient(OutboundHttp.ClientName);
        string? failure = null;
        using var fetch = await Redirects.FollowAsync(new Uri(url), async (hop, ct) =>
        {
            var (response, problem) = await GetWithRetriesAsync(client, hop, ct);
            failure = problem;
            return response;
        }, sameHostOnly: true, cancellationToken, MaxRedirects);
        switch (fetch.End)
        {
            case RedirectEnd.NoAnswer:
                return Fail(FailureReasons.HttpError, failure!, failure!);
            case RedirectEnd.Refused:
                return Fail(FailureReasons.HttpError, $"GET {fetch.Url} {fetch.Why}", $"GET {fetch.Url} {fetch.Why}");
            case RedirectEnd.NotHttp or RedirectEnd.OffHost:
                return Fail(FailureReasons.RedirectOffHost, $"redirects to {fetch.Url.Host}", $"GET {url} → {fetch.Url}");
            case RedirectEnd.TooMany:
                return Fail(FailureReasons.HttpError, $"more than {MaxRedirects} redirects", $"GET {url}: more than {MaxRedirects} redirects");
        }
        var response = fetch.Response!;
        var status = (int)response.StatusCode;
        var evidence = $"GET {fetch.Url} → {status}";
        if (status is >= 300 and < 400)
            return Fail(FailureReasons.HttpError, $"{status} without a Location", evidence);
        if (status is 404 or 410)
            return Fail(FailureReasons.HttpNotFound, $"{status}", evidence);
        if (status >= 400)
            return Fail(FailureReasons.HttpError, $"{status}", evidence);
        if (NoindexHeader(response) is { } header)
            return Fail(FailureReasons.Noindex, $"X-Robots-Tag: {header}", evidence);
        var (html, truncated) = await CappedBody.ReadTextAsync(response, MaxBodyBytes, cancellationToken);
        return Judge(html, fetch.Url, targetUrl, evidence + (truncated ? $" (body capped at {MaxBodyBytes / 1024} KiB)" : ""));
    }

    private async Task<(HttpResponseMessage? Response, string? Failure)> GetWithRetriesAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        string failure = "";
        for (var attempt = 0; attempt <= Backoff.Length; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(Backoff[attempt - 1], time, cancellationToken);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd(UserAgent);
                request.Headers.AcceptEncoding.ParseAdd("gzip");
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode < 500)
                    return (response, null);
                failure = $"GET {url} → {(int)response.StatusCode} after {attempt + 1} attempts";
                response.Dispose();
            }
            catch (HttpRequestException e) when (e.InnerException is OutboundRefusedException refused)
            {
                return (null, $"GET {url} refused: {refused.Message}"); // never retried: it will not become allowed
            }
            catch (HttpRequestException e)
            {
                failure = $"GET {url} failed after {attempt + 1} attempts: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"GET {url} timed out after {attempt + 1} attempts";
            }
        }
        return (null, failure);
    }

    private static string? NoindexHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Robots-Tag", out var values)
            ? values.FirstOrDefault(v => v.Split(',', ':').Any(part => part.Trim().Equals("noindex", StringComparison.OrdinalIgnoreCase)
                || part.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)))
            : null;

    /// <summary>One parser per thread: building AngleSharp's configuration costs more than parsing a small page.</summary>
    private static readonly ThreadLocal<HtmlParser> Parser = new(() => new HtmlParser());

    private static ProbeResult Judge(string html, Uri pageUrl, string? targetUrl, string evidence)
    {
        var document = Parser.Value!.ParseDocument(html);
        foreach (var meta in document.GetElementsByTagName("meta").Where(m => m.HasAttribute("name")))
        {
            var name = meta.GetAttribute("name")?.Trim().ToLowerInvariant();
            var content = meta.GetAttribute("content") ?? "";
            if (name is "robots" or "googlebot" or "bingbot"
                && content.Split(',').Any(d => d.Trim().Equals("noindex", StringComparison.OrdinalIgnoreCase) || d.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)))
                return Fail(FailureReasons.Noindex, $"<meta name=\"{name}\" content=\"{content}\">", evidence);
        }
        var title = document.Title ?? "";
        var heading = document.GetElementsByTagName("h1").FirstOrDefault()?.TextContent ?? "";
        if (LooksNotFound(title) || LooksNotFound(heading))
            return Fail(FailureReasons.Soft404, $"200 with a not-found page (\"{(LooksNotFound(title) ? title : heading).Trim()}\")", evidence);

        LinkToTarget? found = null;
        if (targetUrl is not null && UrlNormalizer.TryNormalize(targetUrl, out var target, out _))
        {
            // Relative links resolve against <base href> when the page has one (itself relative to the page), else the page.
            var baseUrl = document.QuerySelector("base[href]")?.GetAttribute("href") is { } declared && Uri.TryCreate(pageUrl, declared, out var b) ? b : pageUrl;
            var link = document.GetElementsByTagName("a").Where(a => a.HasAttribute("href")).FirstOrDefault(a =>
                Uri.TryCreate(baseUrl, a.GetAttribute("href")?.Trim(), out var href) && UrlNormalizer.TryNormalize(href.ToString(), out var normalized, out _)
                && normalized.Value == target.Value);
            if (link is null)
                return Fail(FailureReasons.LinkMissing, $"no link to {target.Value}", evidence) with { PageRead = true };
            var rel = string.Join(' ', (link.GetAttribute("rel") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(r => r.ToLowerInvariant()).Order());
            found = new LinkToTarget(string.Join(' ', link.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), rel);
            evidence += rel.Contains("nofollow", StringComparison.Ordinal) ? $"; links to the target with rel=\"{rel}\" (nofollow)" : "; links to the target";
        }
        return new ProbeResult(new ValidationVerdict(true, null, null, evidence), evidence, found, PageRead: true);
    }

    private static bool LooksNotFound(string text) =>
        text.Contains("not found", StringComparison.OrdinalIgnoreCase) || text.Contains("404", StringComparison.Ordinal)
        || text.Contains("page doesn't exist", StringComparison.OrdinalIgnoreCase) || text.Contains("page does not exist", StringComparison.OrdinalIgnoreCase);


    private static ProbeResult Fail(string reason, string detail, string evidence) =>
        new(new ValidationVerdict(false, reason, detail, evidence), evidence);
}
