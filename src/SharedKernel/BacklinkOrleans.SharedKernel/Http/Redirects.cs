namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>How a fetch that follows redirects ended.</summary>
public enum RedirectEnd
{
    /// <summary>An answer that is not a redirect to follow (any status; a 3xx without a Location too).</summary>
    Answered,

    /// <summary>The request got no answer (the send gave none: its own failure says why).</summary>
    NoAnswer,

    /// <summary>The outbound guard refused the connection (an inward address, a port not allowed): it will not become allowed.</summary>
    Refused,

    /// <summary>A redirect to a URL that is not http(s).</summary>
    NotHttp,

    /// <summary>A redirect to another host where only the first host is allowed.</summary>
    OffHost,

    /// <summary>More redirects than allowed.</summary>
    TooMany,
}

/// <summary>
/// Where a fetch ended: the answer (owned by this; dispose it), the URL it came from (or the redirect target refused),
/// the redirects followed, and the guard's refusal.
/// </summary>
public sealed class FollowedFetch(RedirectEnd end, HttpResponseMessage? response, Uri url, int redirects, string? refusal = null) : IDisposable
{
    public RedirectEnd End { get; } = end;

    public HttpResponseMessage? Response { get; } = response;

    public Uri Url { get; } = url;

    public int Redirects { get; } = redirects;

    public string? Refusal { get; } = refusal;

    /// <summary>Why no answer was used, for people: "redirects to ftp://…", "redirected more than 5 times", the refusal.</summary>
    public string Why => End switch
    {
        RedirectEnd.NotHttp => $"redirects to a {Url.Scheme}: URL",
        RedirectEnd.OffHost => $"redirects to {Url.Host}",
        RedirectEnd.TooMany => $"redirected more than {Redirects - 1} times",
        RedirectEnd.Refused => $"refused: {Refusal}",
        RedirectEnd.NoAnswer => "no answer",
        _ => $"answered {(int)Response!.StatusCode}",
    };

    public void Dispose() => Response?.Dispose();
}

/// <summary>
/// The one way untrusted fetches (robots.txt, the page probe, sitemaps, IndexNow key files) follow redirects: by
/// hand, each hop a new request through the caller's send on the outbound client — whose guarded handler checks the
/// address and port of every connection it opens, so a redirect to an inward address is refused like a first
/// request — only to http(s) URLs, at most <see cref="MaxRedirects"/> times, and, when asked, only on the first host.
/// </summary>
public static class Redirects
{
    public const int MaxRedirects = 5;

    /// <param name="send">One request (headers read, body not); null when it got no answer (the caller keeps why).</param>
    public static async Task<FollowedFetch> FollowAsync(Uri start, Func<Uri, CancellationToken, Task<HttpResponseMessage?>> send, bool sameHostOnly,
        CancellationToken cancellationToken, int maxRedirects = MaxRedirects)
    {
        var current = start;
        for (var hop = 0; ; hop++)
        {
            if (current.Scheme is not ("http" or "https"))
                return new FollowedFetch(RedirectEnd.NotHttp, null, current, hop);
            if (sameHostOnly && !string.Equals(current.Host, start.Host, StringComparison.OrdinalIgnoreCase))
                return new FollowedFetch(RedirectEnd.OffHost, null, current, hop);
            if (hop > maxRedirects)
                return new FollowedFetch(RedirectEnd.TooMany, null, current, hop);
            HttpResponseMessage? response;
            try
            {
                response = await send(current, cancellationToken);
            }
            catch (HttpRequestException e) when (e.InnerException is OutboundRefusedException refused)
            {
                return new FollowedFetch(RedirectEnd.Refused, null, current, hop, refused.Message);
            }
            if (response is null)
                return new FollowedFetch(RedirectEnd.NoAnswer, null, current, hop);
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location)
                return new FollowedFetch(RedirectEnd.Answered, response, current, hop);
            response.Dispose();
            current = new Uri(current, location);
        }
    }

    /// <summary>A plain GET through <paramref name="client"/>, answering once its headers are read.</summary>
    public static Func<Uri, CancellationToken, Task<HttpResponseMessage?>> Get(HttpClient client) =>
        async (url, cancellationToken) => await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}
