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

    /// <summary>Records child sitemaps of an uploaded sitemap index; they are fetched and imported in the background.</summary>
    Task QueueSitemapsAsync(IReadOnlyList<string> urls);

    /// <summary>The sitemaps queued and not imported yet.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetPendingSitemapsAsync();

    /// <summary>Records that a queued sitemap was imported, or why it could not be.</summary>
    Task RecordSitemapImportedAsync(SitemapImported imported);
}
