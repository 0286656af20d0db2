using System.Net;
using BacklinkOrleans.SharedKernel.Http;
using Polly.CircuitBreaker;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>What every channel's HTTP client needs to tell about a request that failed or an answer it got.</summary>
internal static class ChannelHttp
{
    private const int ExcerptBytes = 512;
    private static readonly TimeSpan ExcerptDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Failures that prove the request never left: no connection could be made, or the circuit is open.</summary>
    public static bool NeverSent(Exception e) => e switch
    {
        BrokenCircuitException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => true,
        OutboundRefusedException => true,
        _ => e.InnerException is { } inner && NeverSent(inner),
    };

    /// <summary>Answers that prove the service did not take the request, and may be retried within the send: 429 and 503.</summary>
    public static bool ProvesNotReceived(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The start of an answer's body, for people, read under a deadline of its own (the status is the answer).</summary>
    public static async Task<string?> ExcerptAsync(HttpResponseMessage response, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(ExcerptDeadline, time);
        try
        {
            return (await CappedBody.ReadTextAsync(response, ExcerptBytes, deadline.Token)).Text;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }
}
