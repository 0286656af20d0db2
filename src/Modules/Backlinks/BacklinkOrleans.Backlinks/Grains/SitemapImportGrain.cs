using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>Imports a campaign's queued sitemaps, one at a time, away from the campaign grain's turn (key: the campaign's).</summary>
internal interface ISitemapImportGrain : IGrainWithStringKey
{
    /// <summary>Works through the campaign's pending sitemaps until none is left (one-way).</summary>
    [OneWay]
    Task ImportAsync();
}

internal sealed partial class SitemapImportGrain(
    IGrainFactory grains, ISitemapFetchPort sitemaps, BacklinkImporter importer, TimeProvider time, ILogger<SitemapImportGrain> logger)
    : Grain, ISitemapImportGrain
{
    /// <summary>A sitemap index found inside a child sitemap is followed once more, no deeper.</summary>
    private const int MaxDepth = 2;
    private static readonly TimeSpan MaxTimePerSitemap = TimeSpan.FromMinutes(10);
    private const int BatchSize = 100;
    private readonly Dictionary<string, int> depths = new(StringComparer.Ordinal);

    public async Task ImportAsync()
    {
        var key = this.GetPrimaryKeyString();
        var campaign = grains.GetGrain<ICampaignGrain>(key);
        var tenant = TenantId.From(key[..key.IndexOf('/')]);
        var campaignId = key[(key.IndexOf('/') + 1)..];
        // The pending set is read a batch at a time, so a long queue costs one read per batch, not one per sitemap.
        while (await campaign.GetStatusAsync() == CampaignStatuses.Active
               && await campaign.GetPendingSitemapsAsync(BatchSize) is { Count: > 0 } batch)
        {
            foreach (var url in batch)
            {
                if (await campaign.GetStatusAsync() != CampaignStatuses.Active)
                    return;
                if (await campaign.GetSitemapRowsAsync() >= SitemapLimits.RowsPerCampaign)
                {
                    await campaign.RecordSitemapImportedAsync(new SitemapImported(Guid.CreateVersion7(), url, 0, 0, 0, 0,
                        $"not fetched: the campaign has read {SitemapLimits.RowsPerCampaign:N0} rows from sitemaps, the most it may", time.GetUtcNow()));
                    continue;
                }
                var depth = depths.GetValueOrDefault(url, 1);
                var (imported, children) = await ImportOneAsync(tenant, campaignId, url);
                if (imported is null)
                    return; // no fetcher is bound: the sitemaps stay queued
                if (depth < MaxDepth && children.Count > 0)
                {
                    foreach (var child in children)
                        depths.TryAdd(child, depth + 1);
                    if ((await campaign.QueueSitemapsAsync(children)).Refused is > 0 and var refused)
                        imported = imported with { Failure = Join(imported.Failure, $"{refused:N0} child sitemaps not queued: the campaign has queued {SitemapLimits.PerCampaign:N0}, the most it may") };
                }
                else if (children.Count > 0)
                    imported = imported with { Failure = Join(imported.Failure, $"{children.Count:N0} child sitemaps not followed: sitemap indexes are followed {MaxDepth} levels deep") };
                await campaign.RecordSitemapImportedAsync(imported);
            }
        }
    }

    private static string Join(string? first, string second) => first is null ? second : $"{first}; {second}";

    /// <summary>Fetches one sitemap and imports its URLs. Any failure is recorded for that sitemap; the others go on.</summary>
    private async Task<(SitemapImported? Imported, IReadOnlyList<string> Children)> ImportOneAsync(TenantId tenant, string campaignId, string url)
    {
        using var deadline = new CancellationTokenSource(MaxTimePerSitemap);
        try
        {
            await using var stream = await sitemaps.OpenAsync(url, deadline.Token);
            if (stream is null)
                return (null, []);
            var result = await importer.ImportAsync(tenant, campaignId, new SitemapImportReader(), stream, deadline.Token);
            return (new SitemapImported(Guid.CreateVersion7(), url, result.Rows, result.Accepted, result.Duplicate, result.Rejected, result.Aborted,
                time.GetUtcNow()), result.QueuedSitemaps);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, url);
            var reason = deadline.IsCancellationRequested ? $"not read within {MaxTimePerSitemap.TotalMinutes:0} minutes" : e.InnerException?.Message ?? e.Message;
            return (new SitemapImported(Guid.CreateVersion7(), url, 0, 0, 0, 0, reason, time.GetUtcNow()), []);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sitemap {Url} could not be imported")]
    private static partial void LogFailed(ILogger logger, Exception exception, string url);
}
