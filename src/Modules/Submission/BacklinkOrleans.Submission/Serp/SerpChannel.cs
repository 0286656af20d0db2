using System.Net.Http.Headers;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace BacklinkOrleans.Submission.Serp;

/// <summary>
/// The SERP index checker on the lane (protocols.md, "Index checks of third-party pages"): for any URL, a
/// <c>site:</c> query through a Serper-shaped search API; indexed when the exact normalized URL is among the organic
/// results, else <see cref="IndexVerdicts.Missed"/> — one miss proves nothing, and the lifecycle concludes only on two
/// an hour apart. A quota per API key (a daily budget and a per-minute rate); each answered query is one unit and costs
/// <see cref="SerpOptions.CostPerCheck"/>. 401/403 refuses the key; 429 backs off; a 5xx or no answer puts the URL
/// back (a check sent twice costs a query, nothing worse).
/// </summary>
internal sealed class SerpChannel(IHttpClientFactory http, TimeProvider time, IOptions<SerpOptions> options) : IChannel
{
    public const string Name = "serp";
    public const string ClientName = "serp";

    private const int MaxAnswerBytes = 512 * 1024;

    public ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Check, CredentialKinds.Serp, "*", SerpOptions.MaxUrlsPerBatch);

    public LaneOptions Options => options.Value;

    public IReadOnlyList<QuotaLimit> Limits => [new(QuotaWindow.UtcDay, options.Value.DailyLimit), new(QuotaWindow.Minute, options.Value.PerMinuteLimit)];

    public bool Covers(CredentialView credential, NormalizedUrl url) => true;

    public IEnumerable<string> CoverageKeys(CredentialView credential) => ["*"];

    public string QuotaKeyOf(CredentialView credential) => credential.Id;

    /// <summary>The query for a URL: <c>site:</c> and the URL without its scheme.</summary>
    public static string QueryFor(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return "site:" + (scheme < 0 ? url : url[(scheme + 3)..]);
    }

    public async Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var answers = new QueryAnswer[send.Items.Count];
        await Parallel.ForAsync(0, send.Items.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = cancellationToken },
            async (i, token) => answers[i] = await QueryAsync(send.Secret, send.Items[i].Url, token));
        return Classify(send.Items, answers, (long)time.GetElapsedTime(started).TotalMilliseconds, options.Value.CostPerCheck);
    }

    /// <summary>One query's answer: its status, the organic results' links (200), or an excerpt of what went wrong.</summary>
    internal sealed record QueryAnswer(int Status, IReadOnlyList<string>? Links, string? Excerpt, TimeSpan? RetryAfter = null);

    /// <summary>What the answers to a request's queries come to, URL by URL, and what they teach the quota grain.</summary>
    internal static SendOutcome Classify(IReadOnlyList<LedgerItem> items, IReadOnlyList<QueryAnswer> answers, long durationMs, decimal costPerCheck)
    {
        var perUrl = new Dictionary<string, UrlVerdict>(StringComparer.Ordinal);
        var (answered, refusedKey, tooMany, failed) = (0, (string?)null, (TimeSpan?)null, false);
        for (var i = 0; i < items.Count; i++)
        {
            var (item, answer) = (items[i], answers[i]);
            var query = QueryFor(item.Url);
            switch (answer)
            {
                case { Status: 200, Links: { } links }:
                    answered++;
                    var position = Position(item.Url, links);
                    perUrl[item.UrlHash] = position > 0
                        ? new UrlVerdict(Outcomes.Accepted, null, $"indexed: result {position} of {links.Count} for \"{query}\"", IndexVerdicts.Indexed, costPerCheck)
                        : new UrlVerdict(Outcomes.Accepted, null, $"not among the {links.Count} result(s) for \"{query}\"", IndexVerdicts.Missed, costPerCheck);
                    break;
                case { Status: 401 or 403 }:
                    refusedKey ??= $"HTTP {answer.Status}: {answer.Excerpt}";
                    perUrl[item.UrlHash] = new UrlVerdict(Outcomes.Refused, FailureReasons.KeyInvalid, refusedKey);
                    break;
                case { Status: 429 }:
                    tooMany = answer.RetryAfter ?? tooMany ?? TimeSpan.FromSeconds(60);
                    perUrl[item.UrlHash] = new UrlVerdict(Outcomes.Deferred, null, $"HTTP 429: {answer.Excerpt}");
                    break;
                case { Status: >= 400 and < 500 }:
                    perUrl[item.UrlHash] = new UrlVerdict(Outcomes.Refused, FailureReasons.ChannelRejected, $"HTTP {answer.Status}: {answer.Excerpt}");
                    break;
                default:
                    failed = true;
                    perUrl[item.UrlHash] = new UrlVerdict(Outcomes.Deferred, null,
                        answer.Status == 0 ? $"no answer: {answer.Excerpt}" : $"HTTP {answer.Status}: {answer.Excerpt}");
                    break;
            }
        }
        var pace = refusedKey is not null ? Pace.CredentialInvalid : tooMany is not null ? Pace.TooMany : failed ? Pace.Failure : Pace.Success;
        var status = answers.FirstOrDefault(a => a.Status != 200)?.Status ?? 200;
        var detail = refusedKey ?? (answered == items.Count ? $"{answered} quer{(answered == 1 ? "y" : "ies")} answered" : $"{answered} of {items.Count} queries answered");
        return new SendOutcome(status, Outcomes.Mixed, refusedKey is null ? null : FailureReasons.KeyInvalid, detail, durationMs, pace,
            RetryAfter: tooMany, PerUrl: perUrl, UnitsUsed: answered, Cost: answered * costPerCheck);
    }

    /// <summary>Where the URL is among the results (1-based), comparing normalized forms; 0 when it is not.</summary>
    private static int Position(string url, IReadOnlyList<string> links)
    {
        if (!UrlNormalizer.TryNormalize(url, out var wanted, out _))
            return 0;
        for (var i = 0; i < links.Count; i++)
        {
            if (UrlNormalizer.TryNormalize(links[i], out var link, out _) && link.Value == wanted.Value)
                return i + 1;
        }
        return 0;
    }

    private async Task<QueryAnswer> QueryAsync(string apiKey, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Value.Endpoint)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { q = QueryFor(url), num = options.Value.ResultsPerQuery })),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-API-KEY", apiKey);
        try
        {
            using var response = await http.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status != 200)
                return new QueryAnswer(status, null, Redact(await ChannelHttp.ExcerptAsync(response, time), apiKey), ChannelHttp.RetryAfter(response, time.GetUtcNow()));
            var (text, truncated) = await BacklinkOrleans.SharedKernel.Http.CappedBody.ReadTextAsync(response, MaxAnswerBytes, cancellationToken);
            return truncated ? new QueryAnswer(502, null, "the answer was larger than 512 KiB") : Parse(text);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException or Polly.CircuitBreaker.BrokenCircuitException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new QueryAnswer(0, null, Redact(e.Message, apiKey));
        }
    }

    /// <summary>The organic results' links of an answer; an answer that is not one is a server fault (502).</summary>
    private static QueryAnswer Parse(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                return new QueryAnswer(502, null, "the answer was not a JSON object");
            var links = new List<string>();
            if (json.RootElement.TryGetProperty("organic", out var organic) && organic.ValueKind == JsonValueKind.Array)
            {
                foreach (var result in organic.EnumerateArray())
                {
                    if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("link", out var link) && link.ValueKind == JsonValueKind.String)
                        links.Add(link.GetString()!);
                }
            }
            return new QueryAnswer(200, links, null);
        }
        catch (JsonException e)
        {
            return new QueryAnswer(502, null, $"the answer was not JSON: {e.Message}");
        }
    }

    private static string? Redact(string? text, string key) =>
        string.IsNullOrEmpty(text) ? null : text.Replace(key, "<key>", StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
}
