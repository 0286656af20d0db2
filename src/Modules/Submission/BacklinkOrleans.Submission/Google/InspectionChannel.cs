using System.Diagnostics;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using Google;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// Search Console URL Inspection as an index-status provider on the lane (protocols.md): for URLs inside a property
/// the tenant's service account owns, one quota per property (2,000 a day, 600 a minute). Its answer is
/// authoritative: "Submitted and indexed" is indexed, "URL is unknown to Google" or "… currently not indexed" is not
/// (no second check needed), and a blocking cause — a noindex, robots.txt, 404, soft 404, a redirect or another
/// canonical — is named. Listed before the SERP checker, so it checks what it covers. Needs no opt-in: it reads.
/// </summary>
internal sealed class InspectionChannel(GoogleAccounts accounts, IOptions<InspectionOptions> options, TimeProvider time) : IChannel
{
    public const string Name = "inspection";

    public ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Check, CredentialKinds.Google, "Googlebot", InspectionOptions.MaxUrlsPerBatch);

    public LaneOptions Options => options.Value;

    public IReadOnlyList<QuotaLimit> Limits =>
        [new(QuotaWindow.PacificDay, options.Value.DailyLimit), new(QuotaWindow.Minute, options.Value.PerMinuteLimit)];

    public bool Covers(CredentialView credential, NormalizedUrl url) => GoogleProperties.Covering(credential.Scope, url) is not null;

    public IEnumerable<string> CoverageKeys(CredentialView credential) => GoogleProperties.CoverageKeys(credential.Scope);

    /// <summary>The credential's first property (the Quota API's default view).</summary>
    public string QuotaKeyOf(CredentialView credential) => QuotaKeysOf(credential).FirstOrDefault() ?? credential.Id;

    /// <summary>The quota is the property's: the one of the account's properties that covers the URL.</summary>
    public string QuotaKeyOf(CredentialView credential, NormalizedUrl url) => GoogleProperties.Covering(credential.Scope, url) ?? QuotaKeyOf(credential);

    public IEnumerable<string> QuotaKeysOf(CredentialView credential) =>
        (credential.Scope.Properties ?? []).Where(p => credential.Scope.RefusedProperties?.ContainsKey(p) != true);

    public async Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var service = accounts.InspectionFor(send.Credential, send.Secret, options.Value);
        var answers = new InspectionAnswer[send.Items.Count];
        await Parallel.ForAsync(0, send.Items.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = cancellationToken },
            async (i, token) => answers[i] = await InspectAsync(service, send.Credential, send.Items[i].Url, token));
        return Classify(send.Items, answers, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, time.GetUtcNow());
    }

    /// <summary>One inspection: Google's index status (200), or the HTTP status and message of its error (0: no answer).</summary>
    internal sealed record InspectionAnswer(int Status, IndexStatusInspectionResult? IndexStatus, string? Message, string? Property);

    private static async Task<InspectionAnswer> InspectAsync(GoogleApiService service, CredentialView credential, string url, CancellationToken cancellationToken)
    {
        var property = UrlNormalizer.TryNormalize(url, out var normalized, out _) ? GoogleProperties.Covering(credential.Scope, normalized) : null;
        if (property is null)
            return new InspectionAnswer(403, null, "no property of this account covers the URL", null);
        try
        {
            var response = await new InspectRequest(service, new InspectUrlIndexRequest { InspectionUrl = url, SiteUrl = property, LanguageCode = "en-US" })
                .ExecuteAsync(cancellationToken);
            return new InspectionAnswer(200, response.InspectionResult?.IndexStatusResult, null, property);
        }
        catch (GoogleApiException e)
        {
            return new InspectionAnswer((int)e.HttpStatusCode, null, e.Error?.Message ?? e.Message, property);
        }
        catch (TokenResponseException e)
        {
            return new InspectionAnswer(401, null, $"the token endpoint refused the service account: {e.Error?.Error} {e.Error?.ErrorDescription}", property);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return new InspectionAnswer(0, null, e.Message, property);
        }
    }

    /// <summary>What the inspections of a request come to, URL by URL, and what they teach the property's quota grain.</summary>
    internal static SendOutcome Classify(IReadOnlyList<LedgerItem> items, IReadOnlyList<InspectionAnswer> answers, long durationMs, DateTimeOffset now)
    {
        var perUrl = new Dictionary<string, UrlVerdict>(StringComparer.Ordinal);
        var (answered, refusedCredential, tooMany, perDay, failed) = (0, (string?)null, false, false, false);
        for (var i = 0; i < items.Count; i++)
        {
            var answer = answers[i];
            switch (answer)
            {
                case { Status: 200 }:
                    answered++;
                    var (verdict, reason) = Verdict(items[i].Url, answer.IndexStatus);
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Accepted, reason, Evidence(answer), verdict);
                    break;
                case { Status: 403 } when answer.Message?.Contains("do not own", StringComparison.OrdinalIgnoreCase) == true
                                           || answer.Message?.Contains("no property", StringComparison.Ordinal) == true:
                    answered++;
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Refused, FailureReasons.NotOwner, $"HTTP 403: {answer.Message}");
                    break;
                case { Status: 401 or 403 }:
                    refusedCredential ??= $"HTTP {answer.Status}: {answer.Message}";
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Refused, FailureReasons.KeyInvalid, refusedCredential);
                    break;
                case { Status: 429 }:
                    perDay |= answer.Message?.Contains("per day", StringComparison.OrdinalIgnoreCase) == true;
                    tooMany = true;
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Deferred, null, $"HTTP 429: {answer.Message}");
                    break;
                case { Status: 400 or 404 }:
                    answered++;
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Refused, FailureReasons.ChannelRejected, $"HTTP {answer.Status}: {answer.Message}");
                    break;
                default:
                    failed = true;
                    perUrl[items[i].UrlHash] = new UrlVerdict(Outcomes.Deferred, null,
                        answer.Status == 0 ? $"no answer: {answer.Message}" : $"HTTP {answer.Status}: {answer.Message}");
                    break;
            }
        }
        var pace = perDay ? Pace.Park : refusedCredential is not null ? Pace.CredentialInvalid : tooMany ? Pace.TooMany : failed ? Pace.Failure : Pace.Success;
        var detail = perDay ? $"the property's inspections for today are spent; parked until {QuotaWindow.PacificDay.NextAfter(now):u} (midnight Pacific)"
            : refusedCredential ?? $"{answered} of {items.Count} inspections answered";
        return new SendOutcome(answers.FirstOrDefault(a => a.Status != 200)?.Status ?? 200, Outcomes.Mixed, refusedCredential is null ? null : FailureReasons.KeyInvalid,
            detail, durationMs, pace, RetryAfter: tooMany ? TimeSpan.FromSeconds(60) : null, ParkUntil: perDay ? QuotaWindow.PacificDay.NextAfter(now) : null,
            PerUrl: perUrl, UnitsUsed: answered);
    }

    /// <summary>
    /// Google's index status as a verdict: PASS with an indexed coverage state is indexed; a named cause that keeps the
    /// page out is blocked, with its reason; Google choosing another canonical means this URL is not the indexed one;
    /// otherwise not indexed ("URL is unknown to Google", "Discovered/Crawled - currently not indexed").
    /// </summary>
    internal static (string Verdict, string? Reason) Verdict(string url, IndexStatusInspectionResult? r)
    {
        if (r is null)
            return (IndexVerdicts.Unknown, null);
        var coverage = r.CoverageState ?? "";
        var blocking = (r.IndexingState, r.PageFetchState) switch
        {
            ("BLOCKED_BY_META_TAG" or "BLOCKED_BY_HTTP_HEADER", _) => FailureReasons.Noindex,
            ("BLOCKED_BY_ROBOTS_TXT", _) or (_, "BLOCKED_ROBOTS_TXT") => FailureReasons.RobotsDisallowed,
            (_, "NOT_FOUND") => FailureReasons.HttpNotFound,
            (_, "SOFT_404") => FailureReasons.Soft404,
            (_, "REDIRECT_ERROR") => FailureReasons.RedirectOffHost,
            (_, "ACCESS_DENIED" or "ACCESS_FORBIDDEN" or "BLOCKED_4XX") => FailureReasons.HttpError,
            _ when coverage.Contains("redirect", StringComparison.OrdinalIgnoreCase) => FailureReasons.RedirectOffHost,
            _ when coverage.Contains("noindex", StringComparison.OrdinalIgnoreCase) => FailureReasons.Noindex,
            _ => null,
        };
        if (blocking is not null)
            return (IndexVerdicts.Blocked, blocking);
        var indexed = r.Verdict == "PASS" && !coverage.Contains("not indexed", StringComparison.OrdinalIgnoreCase);
        if (indexed && r.GoogleCanonical is { Length: > 0 } chosen && !SameUrl(chosen, url))
            return (IndexVerdicts.NotIndexed, null); // Google indexes another URL in its place
        return indexed ? (IndexVerdicts.Indexed, null)
            : r.PageFetchState is "SERVER_ERROR" or "INTERNAL_CRAWL_ERROR" ? (IndexVerdicts.Unknown, null)
            : (IndexVerdicts.NotIndexed, null);
    }

    private static bool SameUrl(string a, string b) =>
        UrlNormalizer.TryNormalize(a, out var x, out _) && UrlNormalizer.TryNormalize(b, out var y, out _) && x.Value == y.Value;

    /// <summary>Google's fields, as evidence for the URL's history.</summary>
    private static string Evidence(InspectionAnswer answer)
    {
        var r = answer.IndexStatus;
        if (r is null)
            return $"URL Inspection ({answer.Property}): no index status in the answer";
        var canonical = r.GoogleCanonical is { } g && r.UserCanonical is { } u && g != u ? $"; Google chose canonical {g} over the page's {u}" : "";
        return $"URL Inspection ({answer.Property}): {r.Verdict}, \"{r.CoverageState}\", indexing {r.IndexingState}, fetch {r.PageFetchState}, "
            + $"robots.txt {r.RobotsTxtState}, last crawl {r.LastCrawlTime ?? "never"}{canonical}";
    }
}
