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
    [property: Id(6)] IReadOnlyList<string>? Channels,
    [property: Id(7)] string? TargetUrl,
    [property: Id(8)] int Priority);

/// <summary>Route: the channels whose credentials cover the URL, in the campaign's preference order.</summary>
public interface IRoutingPort
{
    /// <summary>The covering channels (empty: none covers it); null when no routing is bound (the URL waits).</summary>
    Task<IReadOnlyList<string>?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>Validate: URL rules, robots.txt for the routed channels' crawlers, HTTP status, noindex.</summary>
public interface IValidationPort
{
    /// <summary>The verdict; null when no validation is bound or the check must be retried later.</summary>
    Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <param name="Passed">Whether the URL may be submitted.</param>
/// <param name="Reason">The failure reason code when it may not (see <see cref="FailureReasons"/>).</param>
/// <param name="Evidence">What was checked: status, matched robots line, final URL.</param>
public sealed record ValidationVerdict(bool Passed, string? Reason, string? Detail, string Evidence);

/// <summary>Submit: hand the URL to the quota grain of a covering channel. Results come back through
/// <see cref="IBacklinkGrain.RecordSubmissionAsync"/>, never inside the backlink's own call.</summary>
public interface ISubmissionPort
{
    /// <summary>When to look again if no answer arrived by then; null when no submission is bound.</summary>
    Task<DateTimeOffset?> EnqueueAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>Check: whether a submitted URL is indexed.</summary>
public interface IIndexCheckPort
{
    /// <summary>The result; null when no index check is bound (the URL waits).</summary>
    Task<IndexCheckReport?> CheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken);
}

/// <summary>Fetch: a child sitemap of an uploaded sitemap index, through the guarded outbound client.</summary>
public interface ISitemapFetchPort
{
    /// <summary>The sitemap's XML (decompressed, size-capped), or null when no fetcher is bound.</summary>
    Task<Stream?> OpenAsync(string url, CancellationToken cancellationToken);
}
