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

    /// <summary>The outbound guard refuses the origin (an inward address, a port not allowed): final, it will not become allowed.</summary>
    Refused,
}

internal sealed record RobotsFetch(RobotsFetchKind Kind, string Content, string Detail);

/// <summary>Fetches <c>/robots.txt</c> of an origin through the outbound (guarded or Sandbox) client.</summary>
internal sealed class RobotsFetcher(IHttpClientFactory http)
{
    public const int MaxRedirects = Redirects.MaxRedirects;

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
        using var client = http.CreateClient(OutboundHttp.ClientName);
        string? failure = null;
        using var fetch = await Redirects.FollowAsync(new Uri($"{origin}/robots.txt"), async (url, ct) =>
        {
            try
            {
                return await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e) when (e.InnerException is not OutboundRefusedException)
            {
                failure = $"{url} could not be fetched: {e.InnerException?.Message ?? e.Message}";
                return null;
            }
        }, sameHostOnly: false, cancellationToken, MaxRedirects);
        if (fetch.End == RedirectEnd.Refused)
            return new RobotsFetch(RobotsFetchKind.Refused, "", $"{fetch.Url} {fetch.Why}");
        if (fetch.End != RedirectEnd.Answered)
            return new RobotsFetch(RobotsFetchKind.Unreachable, "", failure ?? $"{origin}/robots.txt {fetch.Why}");
        var status = (int)fetch.Response!.StatusCode;
        if (status is >= 200 and < 300)
            return new RobotsFetch(RobotsFetchKind.Parsed, (await CappedBody.ReadTextAsync(fetch.Response, RobotsTxt.MaxBytes, cancellationToken)).Text, $"{fetch.Url} answered {status}");
        if (status is >= 400 and < 500 && status != (int)HttpStatusCode.TooManyRequests)
            return new RobotsFetch(RobotsFetchKind.AllowAll, "", $"{fetch.Url} answered {status}: everything allowed");
        return new RobotsFetch(RobotsFetchKind.Unreachable, "", $"{fetch.Url} answered {status}");
    }
}
