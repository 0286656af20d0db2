using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// The engine's answer to one POST. <see cref="Status"/> 0: no HTTP answer; then <see cref="MayHaveArrived"/> says
/// whether the request could have reached the engine (a timeout, a connection lost after sending) or certainly did
/// not (no connection, an open circuit).
/// </summary>
internal sealed record IndexNowAnswer(int Status, TimeSpan? RetryAfter, string? Excerpt, bool MayHaveArrived, long DurationMs);

/// <summary>One IndexNow POST: <c>{"host","key","keyLocation","urlList"}</c> to <c>https://{endpoint}/indexnow</c>.</summary>
internal sealed class IndexNowClient(IHttpClientFactory http, TimeProvider time, IOptions<IndexNowOptions> options)
{
    public const string ClientName = "indexnow";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record Payload(string Host, string Key, string? KeyLocation, IReadOnlyList<string> UrlList);

    public Uri EndpointFor(string endpoint) => options.Value.EndpointOverride ?? new Uri($"https://{endpoint}/indexnow");

    public async Task<IndexNowAnswer> PostAsync(string endpoint, string host, string key, string? keyLocation, IReadOnlyList<string> urls,
        CancellationToken cancellationToken)
    {
        var content = new TrackedContent(JsonSerializer.SerializeToUtf8Bytes(new Payload(host, key, keyLocation, urls), Json));
        using var request = new HttpRequestMessage(HttpMethod.Post, EndpointFor(endpoint)) { Content = content };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var response = await http.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // The status is the answer; the body is only an excerpt for people, read under a deadline of its own.
            return new IndexNowAnswer((int)response.StatusCode, ChannelHttp.RetryAfter(response, time.GetUtcNow()), Redact(await ExcerptAsync(response), key), true, Elapsed());
        }
        catch (Exception e) when (ChannelHttp.NeverSent(e) || (!content.Started && !cancellationToken.IsCancellationRequested))
        {
            return new IndexNowAnswer(0, null, Redact(e.Message, key), MayHaveArrived: false, Elapsed());
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new IndexNowAnswer(0, null, Redact(e.Message, key), MayHaveArrived: true, Elapsed());
        }
    }

    private Task<string?> ExcerptAsync(HttpResponseMessage response) => ChannelHttp.ExcerptAsync(response, time);

    private static string? Redact(string? text, string key) =>
        string.IsNullOrEmpty(text) ? null : text.Replace(key, "<key>", StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
}
