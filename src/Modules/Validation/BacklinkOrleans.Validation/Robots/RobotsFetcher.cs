using System.Net;
using BacklinkOrleans.SharedKernel.Http;

namespace BacklinkOrleans.Validation.Robots;

/// <summary>How a robots.txt fetch ended (RFC 9309, 2.3.1).</summary>
internal enum RobotsFetchKind
{
    /// <summary>2xx: the file applies.</summary>
    Parsed,

    /// <summary>4xx: no file, everything allowed.</summary>
    AllowAll,

    /// <summary>5xx, too many redirects or no connection: everything disallowed for now; retry later.</summary>
    Unreachable,
}

internal sealed record RobotsFetch(RobotsFetchKind Kind, string Content, string Detail);

/// <summary>Fetches <c>/robots.txt</c> of an origin through the outbound (guarded or Sandbox) client.</summary>
internal sealed class RobotsFetcher(IHttpClientFactory http)
{
    public const int MaxRedirects = 5;

    /// <summary>The whole fetch, redirects and body included, ends within this.</summary>
    public static readonly TimeSpan MaxFetchTime = TimeSpan.FromSeconds(30);

    public async Task<RobotsFetch> FetchAsync(string origin, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(MaxFetchTime);
        try
        {
            return await FetchCoreAsync(origin, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{origin}/robots.txt gave no complete answer within {MaxFetchTime.TotalSeconds:0} s");
        }
    }

    private async Task<RobotsFetch> FetchCoreAsync(string origin, CancellationToken cancellationToken)
    {
        var url = new Uri($"{origin}/robots.txt");
        using var client = http.CreateClient(OutboundHttp.ClientName);
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    url = new Uri(url, location);
                    if (url.Scheme is not ("http" or "https"))
                        return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{origin}/robots.txt redirects to a {url.Scheme}: URL");
                    continue;
                }
                if (status is >= 200 and < 300)
                    return new RobotsFetch(RobotsFetchKind.Parsed, (await CappedBody.ReadTextAsync(response, RobotsTxt.MaxBytes, cancellationToken)).Text, $"{url} answered {status}");
                if (status is >= 400 and < 500 && status != (int)HttpStatusCode.TooManyRequests)
                    return new RobotsFetch(RobotsFetchKind.AllowAll, "", $"{url} answered {status}: everything allowed");
                return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{url} answered {status}");
            }
            catch (HttpRequestException e)
            {
                return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{url} could not be fetched: {e.InnerException?.Message ?? e.Message}");
            }
        }
        return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{origin}/robots.txt redirected more than {MaxRedirects} times");
    }
}
