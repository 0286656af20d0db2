using System.Diagnostics;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using Google;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Requests;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// The Google Indexing API on the lane: a service account covers the URLs of the Search Console properties it owns;
/// one quota per Cloud project (200 publish requests per Pacific day, 380 a minute); URLs go out as URL_UPDATED
/// notifications, up to 100 parts in one batch request, each part answered on its own. A per-day 429 parks the
/// project until the next Pacific midnight, a per-minute 429 backs off; 403 "Failed to verify the URL ownership"
/// drops the channel for that URL and flags the property on the credential. After a crash, a request in flight is
/// reconciled through the notification metadata: what Google already has is never sent again. Off for a tenant until
/// the tenant turns it on, having read Google's policy (<see cref="Policy"/>).
/// </summary>
internal sealed partial class GoogleChannel(GoogleAccounts accounts, ICredentialDirectory directory, IOptions<GoogleOptions> options, TimeProvider time)
    : IChannel
{
    public const string Name = CredentialKinds.Google;

    /// <summary>Google's rule, quoted wherever a tenant turns the channel on (protocols.md).</summary>
    public const string Policy =
        "Google: the Indexing API is for pages with JobPosting or BroadcastEvent (in a VideoObject) structured data. "
        + "\"All submissions through the Indexing API undergo rigorous spam detection. Any attempts to abuse the Indexing API, "
        + "including the use of multiple accounts or other means to exceed usage quotas, may result in access being revoked.\" "
        + "The default quota (200 publish requests a day per Cloud project) is for onboarding and testing; BacklinkOrleans never "
        + "spreads one property's URLs over several projects to get past it.";

    public ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Submit, CredentialKinds.Google, "Googlebot", GoogleOptions.MaxPartsPerBatch,
        OptInPolicy: Policy, Withdraws: true);

    public LaneOptions Options => options.Value;

    public IReadOnlyList<QuotaLimit> Limits =>
        [new(QuotaWindow.PacificDay, options.Value.DailyLimit), new(QuotaWindow.Minute, options.Value.PerMinuteLimit)];

    public bool Covers(CredentialView credential, NormalizedUrl url) => GoogleProperties.Covering(credential.Scope, url) is not null;

    public IEnumerable<string> CoverageKeys(CredentialView credential) => GoogleProperties.CoverageKeys(credential.Scope);

    /// <summary>The quota is the Cloud project's, whichever of its service accounts sends.</summary>
    public string QuotaKeyOf(CredentialView credential) => credential.Scope.ProjectId ?? credential.Scope.ClientEmail ?? credential.Id;

    public async Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var parts = new PartAnswer?[send.Items.Count];
        try
        {
            var service = accounts.ServiceFor(send.Credential, send.Secret);
            if (send.Items.Count == 1)
            {
                try
                {
                    await Publish(service, send.Items[0]).ExecuteAsync(cancellationToken);
                    parts[0] = new PartAnswer(200, null);
                }
                catch (GoogleApiException e) when ((int)e.HttpStatusCode is >= 400 and < 600)
                {
                    parts[0] = new PartAnswer((int)e.HttpStatusCode, e.Error?.Message ?? e.Message);
                }
            }
            else
            {
                var batch = new BatchRequest(service, service.BatchUri);
                foreach (var item in send.Items)
                    batch.Queue<PublishUrlNotificationResponse>(Publish(service, item),
                        (_, error, index, message) => parts[index] = new PartAnswer((int)message.StatusCode, error?.Message));
                await batch.ExecuteAsync(cancellationToken);
            }
        }
        catch (TokenResponseException e)
        {
            var refused = e.Error?.Error is "invalid_grant" or "invalid_client" or "unauthorized_client";
            var detail = $"Google's token endpoint: {e.Error?.Error}{(e.Error?.ErrorDescription is { } d ? $" ({d})" : "")}";
            return refused
                ? new SendOutcome(401, Outcomes.Refused, FailureReasons.KeyInvalid, detail, Elapsed(started), Pace.CredentialInvalid)
                : new SendOutcome(0, Outcomes.Deferred, null, detail, Elapsed(started), Pace.Failure); // no token: nothing was published
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or GoogleApiException)
        {
            if (cancellationToken.IsCancellationRequested && e is OperationCanceledException)
                throw;
            var status = (e as GoogleApiException)?.HttpStatusCode is { } code ? (int)code : (e as HttpRequestException)?.StatusCode is { } s ? (int)s : 0;
            var detail = $"{(status == 0 ? "no answer" : $"HTTP {status}")}: {e.Message.Split('\n')[0]}";
            // A batch refused as a whole by a status that proves nothing was processed is deferred; anything else may have arrived.
            return ChannelHttp.NeverSent(e) || status is 401 or 429 or 502 or 503 || (status is >= 400 and < 500 && status != 408)
                ? new SendOutcome(status, Outcomes.Deferred, null, detail, Elapsed(started), status == 429 ? Pace.TooMany : Pace.Failure)
                : new SendOutcome(status, Outcomes.Unknown, null, detail, Elapsed(started), Pace.Failure);
        }
        var outcome = Classify(send, parts, time.GetUtcNow(), Elapsed(started));
        await FlagRefusedPropertiesAsync(send, parts, cancellationToken);
        return outcome;
    }

    /// <summary>URL_UPDATED for a URL to submit, URL_DELETED for a retired one being withdrawn.</summary>
    private static PublishRequest Publish(GoogleApiService service, LedgerItem item) =>
        new(service, new UrlNotification { Url = item.Url, Type = item.Withdraw ? NotificationTypes.Deleted : NotificationTypes.Updated });

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>One part's status and Google's message.</summary>
    internal sealed record PartAnswer(int Status, string? Message);

    /// <summary>What the parts of a request came to, URL by URL, and what they teach the quota grain.</summary>
    internal static SendOutcome Classify(ChannelSend send, IReadOnlyList<PartAnswer?> parts, DateTimeOffset now, long durationMs)
    {
        var perUrl = new Dictionary<string, UrlVerdict>(StringComparer.Ordinal);
        var (park, tooMany, failure, refusedCredential, accepted, units) = (false, false, false, (string?)null, false, 0);
        for (var i = 0; i < send.Items.Count; i++)
        {
            var part = parts[i];
            var verdict = part switch
            {
                null => new UrlVerdict(Outcomes.Unknown, null, "Google's batch answer had no part for this URL"),
                { Status: 200 } => new UrlVerdict(Outcomes.Accepted, null, null),
                { Status: 429 } p when IsPerDay(p.Message) => new UrlVerdict(Outcomes.Deferred, null, Describe(p)),
                { Status: 429 } p => new UrlVerdict(Outcomes.Deferred, null, Describe(p)),
                { Status: 403 } p when IsOwnership(p.Message) => new UrlVerdict(Outcomes.Refused, FailureReasons.NotOwner, Describe(p)),
                { Status: 401 or 403 } p => new UrlVerdict(Outcomes.Refused, FailureReasons.KeyInvalid, Describe(p)),
                { Status: 400 or 404 } p => new UrlVerdict(Outcomes.Refused, FailureReasons.ChannelRejected, Describe(p)),
                { Status: 502 or 503 } p => new UrlVerdict(Outcomes.Deferred, null, Describe(p)),
                var p => new UrlVerdict(Outcomes.Unknown, null, Describe(p)), // a 500 or 504 for a part: it may have been processed
            };
            perUrl[send.Items[i].UrlHash] = verdict;
            switch (part)
            {
                case { Status: 429 } p when IsPerDay(p.Message):
                    park = true;
                    break;
                case { Status: 429 }:
                    tooMany = true;
                    break;
                case { Status: 401 or 403 } p when !IsOwnership(p.Message):
                    refusedCredential ??= Describe(p);
                    units++;
                    break;
                case { Status: 502 or 503 }:
                    failure = true;
                    break;
                case null or { Status: >= 500 }:
                    failure = true;
                    units++;
                    break;
                case { Status: 200 }:
                    accepted = true;
                    units++;
                    break;
                default:
                    units++;
                    break;
            }
        }
        var outcomes = perUrl.Values.Select(v => (v.Outcome, v.Reason)).Distinct().ToList();
        var status = parts.FirstOrDefault(p => p is { Status: not 200 })?.Status ?? 200;
        var pace = park ? Pace.Park
            : refusedCredential is not null ? Pace.CredentialInvalid
            : tooMany ? Pace.TooMany
            : failure ? Pace.Failure
            : accepted ? Pace.Success
            : Pace.None;
        var detail = park ? $"the Cloud project's publish requests for today are spent; parked until {QuotaWindow.PacificDay.NextAfter(now):u} (midnight Pacific)"
            : refusedCredential ?? (outcomes.Count == 1 ? perUrl.Values.First().Detail : null);
        return outcomes.Count == 1
            ? new SendOutcome(status, outcomes[0].Outcome, outcomes[0].Reason, detail, durationMs, pace,
                RetryAfter: tooMany ? TimeSpan.FromSeconds(60) : null, ParkUntil: park ? QuotaWindow.PacificDay.NextAfter(now) : null, UnitsUsed: units)
            : new SendOutcome(status, Outcomes.Mixed, null, detail, durationMs, pace,
                RetryAfter: tooMany ? TimeSpan.FromSeconds(60) : null, ParkUntil: park ? QuotaWindow.PacificDay.NextAfter(now) : null, PerUrl: perUrl, UnitsUsed: units);
    }

    private static bool IsPerDay(string? message) => message?.Contains("per day", StringComparison.OrdinalIgnoreCase) == true;

    private static bool IsOwnership(string? message) => message?.Contains("ownership", StringComparison.OrdinalIgnoreCase) == true;

    private static string Describe(PartAnswer part) => string.IsNullOrEmpty(part.Message) ? $"HTTP {part.Status}" : $"HTTP {part.Status}: {part.Message}";

    /// <summary>Records on the credential each property Google refused for this account (routing stops offering it).</summary>
    private async Task FlagRefusedPropertiesAsync(ChannelSend send, IReadOnlyList<PartAnswer?> parts, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < send.Items.Count; i++)
        {
            if (parts[i] is { Status: 403 } part && IsOwnership(part.Message)
                && UrlNormalizer.TryNormalize(send.Items[i].Url, out var url, out _)
                && GoogleProperties.Covering(send.Credential.Scope, url) is { } property)
                refused.TryAdd(property, $"Google: {part.Message}");
        }
        foreach (var (property, reason) in refused)
            await directory.RefusePropertyAsync(TenantId.From(send.Tenant), send.Credential.Id, property, reason, cancellationToken);
    }

    /// <summary>
    /// What Google holds for each URL of a request whose answer was lost: a URL_UPDATED notified since the request
    /// was reserved (it arrived), none or an older one (404 or earlier: it did not). A URL whose metadata cannot be
    /// read now is left out: its outcome stays unknown.
    /// </summary>
    public async Task<Reconciliation?> ReconcileAsync(ChannelSend send, DateTimeOffset reservedAt, CancellationToken cancellationToken)
    {
        var service = accounts.ServiceFor(send.Credential, send.Secret);
        var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var item in send.Items)
        {
            try
            {
                var metadata = await new MetadataRequest(service, item.Url).ExecuteAsync(cancellationToken);
                var latest = item.Withdraw ? metadata.LatestRemove : metadata.LatestUpdate;
                seen[item.UrlHash] = latest?.NotifiedAt is { } notified && notified >= reservedAt - ClockSkew;
            }
            catch (GoogleApiException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
            {
                seen[item.UrlHash] = false; // never notified
            }
            catch (Exception e) when (e is GoogleApiException or HttpRequestException or TokenResponseException or IOException)
            {
                // unknown for now: left out
            }
        }
        return new Reconciliation(seen);
    }

    /// <summary>Google's clock and ours may differ a little: a notification this much before the reservation is still ours.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);
}
