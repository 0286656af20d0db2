namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>What a port needs to know about a backlink.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-snapshot")]
public sealed record BacklinkSnapshot(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string UrlHash,
    [property: Id(2)] string Url,
    [property: Id(3)] string Host,
    [property: Id(4)] string CampaignId,
    [property: Id(5)] CampaignSettings Campaign,
    [property: Id(6)] IReadOnlyList<RouteTarget>? Targets,
    [property: Id(7)] string? TargetUrl,
    [property: Id(8)] int Priority,
    [property: Id(9)] IReadOnlyList<RouteTarget>? Checkers = null)
{
    /// <summary>The channels of <see cref="Targets"/>, in order.</summary>
    public IReadOnlyList<string>? Channels => Targets?.Select(t => t.Channel).ToList();
}

/// <summary>
/// Where a URL can go: a channel, the tenant's credential that covers the URL for it, the key of the quota that
/// credential spends (an IndexNow key's host, a Google Cloud project, a vendor account), and the user-agent whose
/// robots.txt rules apply to the channel's crawler.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.route-target")]
public sealed record RouteTarget(
    [property: Id(0)] string Channel,
    [property: Id(1)] string CredentialId,
    [property: Id(2)] string QuotaKey,
    [property: Id(3)] string Crawler)
{
    /// <summary>A target known only by its channel (routed before targets were recorded): the port resolves the rest.</summary>
    public static RouteTarget ForChannel(string channel) => new(channel, "", "", channel switch
    {
        "indexnow" => "bingbot",
        "google" => "Googlebot",
        _ => "*",
    });

    public override string ToString() => QuotaKey.Length == 0 ? Channel : $"{Channel} ({QuotaKey})";
}

/// <summary>
/// The routing answer: submission targets in the campaign's preference order, and the index checkers covering the URL
/// that answer at once; <see cref="SlowCheck"/>: checkers that report hours later (a paid vendor's), asked for
/// follow-ups only when no other covers the URL, never for the check before submission.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.route-result")]
public sealed record RouteResult(
    [property: Id(0)] IReadOnlyList<RouteTarget> Submit,
    [property: Id(1)] IReadOnlyList<RouteTarget> Check,
    [property: Id(2)] IReadOnlyList<RouteTarget>? SlowCheck = null);

/// <summary>Route: which of the tenant's credentials cover the URL, for submission and for index checks.</summary>
public interface IRoutingPort
{
    /// <summary>The targets (no submission target: the URL fails with no-channel); null when no routing is bound (the URL waits).</summary>
    Task<RouteResult?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>Validate: URL rules, robots.txt for the routed channels' crawlers, HTTP status, noindex.</summary>
public interface IValidationPort
{
    /// <summary>The verdict (possibly "not yet: look again at <see cref="ValidationVerdict.RetryAt"/>"); null when no validation is bound.</summary>
    Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <param name="Passed">Whether the URL may be submitted.</param>
/// <param name="Reason">The failure reason code when it may not (see <see cref="FailureReasons"/>).</param>
/// <param name="Evidence">What was checked: status, matched robots line, final URL.</param>
/// <param name="RetryAt">Set when nothing could be decided yet (robots.txt unreadable for now): validate again then; <see cref="Detail"/> says why.</param>
public sealed record ValidationVerdict(bool Passed, string? Reason, string? Detail, string Evidence, DateTimeOffset? RetryAt = null)
{
    public static ValidationVerdict Later(DateTimeOffset retryAt, string why) => new(false, null, why, why, retryAt);

    public bool IsDecided => RetryAt is null;
}

/// <summary>
/// A quota grain took a URL into its queue: the answer reaches the backlink later, through
/// <see cref="IBacklinkGrain.RecordSubmissionAsync"/> (or <see cref="IBacklinkGrain.RecordIndexCheckAsync"/>), never
/// inside the backlink's own call. <see cref="LookAgainAt"/>: when the backlink asks again if no answer reached it
/// (the next quota window, when today's is spent); <see cref="Detail"/>: what it waits for, for people.
/// </summary>
/// <see cref="Uncovered"/>: nothing was queued, because no provider covers the URL (index checks only).
[GenerateSerializer, Immutable, Alias("backlink-orleans.enqueued")]
public sealed record Enqueued([property: Id(0)] DateTimeOffset LookAgainAt, [property: Id(1)] string Detail, [property: Id(2)] bool Uncovered = false);

/// <summary>Submit: hand the URL to the quota grain of a target's channel.</summary>
public interface ISubmissionPort
{
    /// <summary>Queued (see <see cref="Enqueued"/>); null when no channel of this build sends to the target's channel.</summary>
    Task<Enqueued?> EnqueueAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// Queues the withdrawal of a retired URL that the target's channel had accepted (Google: URL_DELETED); null
    /// when no channel of this build withdraws there.
    /// </summary>
    Task<Enqueued?> WithdrawAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken);
}

/// <summary>Check: whether a URL is indexed (the answer comes back through <see cref="IBacklinkGrain.RecordIndexCheckAsync"/>).</summary>
public interface IIndexCheckPort
{
    /// <summary>
    /// Queued with the first index-status provider that covers the URL now (see <see cref="Enqueued"/>), or, when none
    /// does, an answer with <see cref="Enqueued.Uncovered"/> set saying when to ask again; null when no checker is bound.
    /// </summary>
    Task<Enqueued?> EnqueueCheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>
/// What the backlink page shows of its link to the campaign's target: <see cref="Reachable"/> (false: the page could
/// not be read now, nothing is known), <see cref="Present"/>, the anchor text and the rel attribute (normalized:
/// lower case, sorted), and the evidence.
/// </summary>
public sealed record LinkObservation(bool Reachable, bool Present, string? Anchor, string? Rel, string Evidence);

/// <summary>Link-rot: does the backlink page still link to the campaign's target (checked at each follow-up)?</summary>
public interface ILinkCheckPort
{
    /// <summary>What the page shows now; null when no link checker is bound or the backlink names no target.</summary>
    Task<LinkObservation?> CheckLinkAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>Fetch: a child sitemap of an uploaded sitemap index, through the guarded outbound client.</summary>
public interface ISitemapFetchPort
{
    /// <summary>The sitemap's XML (decompressed, size-capped), or null when no fetcher is bound.</summary>
    Task<Stream?> OpenAsync(string url, CancellationToken cancellationToken);
}

/// <summary>
/// How fast a channel can take a tenant's URLs now: its quotas (credentials) and what they have queued; what the
/// current window still allows and what each window allows (null: no window limits it — a paid account's balance
/// does, <see cref="Balance"/>); when the next window opens; until when sending is held (a park, a backoff).
/// </summary>
public sealed record ChannelCapacity(string Channel, int Quotas, long Queued, long? RemainingNow, long? PerWindow, DateTimeOffset? NextWindowAt,
    TimeSpan? Window, DateTimeOffset? HeldUntil, long? Balance);

/// <summary>Capacity: what the channels can still take, for the campaign's completion estimate.</summary>
public interface ICapacityPort
{
    /// <summary>The capacity of each of <paramref name="channels"/> with the tenant's credentials; empty when no channel is bound.</summary>
    Task<IReadOnlyList<ChannelCapacity>> CapacityAsync(string tenant, IReadOnlyList<string> channels, CancellationToken cancellationToken);
}
