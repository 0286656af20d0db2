namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>A campaign of one tenant, keyed <c>{tenant}/{campaign id}</c>; stream <c>campaign/{key}</c>.</summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Defines the campaign; false when it exists already.</summary>
    Task<bool> CreateAsync(CampaignSettings settings);

    /// <summary>The campaign; null when it does not exist.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<CampaignInfo?> GetAsync();

    /// <summary>active, paused or cancelled; null when it does not exist.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<string?> GetStatusAsync();

    /// <summary>Stops further steps of the campaign's backlinks until resumed.</summary>
    Task<CommandOutcome> PauseAsync();

    /// <summary>Lets the campaign's backlinks continue where they stopped.</summary>
    Task<CommandOutcome> ResumeAsync();

    /// <summary>
    /// Spreads the rest of the campaign's submissions over <paramref name="days"/> days from now (null: no drip-feed);
    /// backlinks waiting for a slot of the old plan are planned again.
    /// </summary>
    Task<CommandOutcome> SetDripAsync(int? days);

    /// <summary>Stops the campaign for good.</summary>
    Task<CommandOutcome> CancelAsync();

    /// <summary>
    /// Records child sitemaps of an uploaded sitemap index; they are fetched and imported in the background. At most
    /// <see cref="SitemapLimits.PerCampaign"/> over the campaign's life: the rest are refused (counted in the answer).
    /// </summary>
    Task<SitemapsQueued> QueueSitemapsAsync(IReadOnlyList<string> urls);

    /// <summary>Up to <paramref name="max"/> of the sitemaps queued and not imported yet.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetPendingSitemapsAsync(int max);

    /// <summary>Rows read from the campaign's queued sitemaps so far.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<long> GetSitemapRowsAsync();

    /// <summary>Records that a queued sitemap was imported, or why it could not be.</summary>
    Task RecordSitemapImportedAsync(SitemapImported imported);
}

/// <summary>How many child sitemaps were queued, and how many were refused because the campaign's cap was reached.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.sitemaps-queued")]
public sealed record SitemapsQueued([property: Id(0)] int Queued, [property: Id(1)] int Refused);

/// <summary>
/// What sitemap indexes may make the system fetch: a sitemap index may list up to 50,000 children and a child may be an
/// index again, so one upload could otherwise ask for 50,000 × 50,000 fetches.
/// </summary>
public static class SitemapLimits
{
    /// <summary>Child sitemaps taken from one sitemap index (an upload or a fetched child).</summary>
    public const int PerIndex = 1_000;

    /// <summary>Child sitemaps queued over a campaign's life.</summary>
    public const int PerCampaign = 5_000;

    /// <summary>Rows read from a campaign's queued sitemaps; once reached, the sitemaps still queued are not fetched.</summary>
    public const long RowsPerCampaign = 1_000_000;
}
