using System.Collections.Immutable;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Backlinks.Grains;

[GenerateSerializer, Immutable, Alias("backlink-orleans.campaign-state")]
internal sealed record CampaignState([property: Id(0)] CampaignInfo? Info, [property: Id(1)] ImmutableList<string>? PendingSitemaps = null)
{
    public static readonly CampaignState None = new((CampaignInfo?)null);

    public ImmutableList<string> Pending => PendingSitemaps ?? [];

    public static CampaignState Evolve(CampaignState state, ICampaignEvent e) => (state.Info, e) switch
    {
        ({ }, SitemapQueued q) => state.Pending.Contains(q.Url) ? state : state with { PendingSitemaps = state.Pending.Add(q.Url) },
        ({ }, SitemapImported i) => state with { PendingSitemaps = state.Pending.Remove(i.Url) },
        (null, CampaignCreated c) => new(new CampaignInfo(c.CampaignId, c.Settings, CampaignStatuses.Active, c.At), []),
        ({ } info, CampaignPaused) => new(info with { Status = CampaignStatuses.Paused }),
        ({ } info, CampaignResumed) => new(info with { Status = CampaignStatuses.Active }),
        ({ } info, CampaignCancelled) => new(info with { Status = CampaignStatuses.Cancelled }),
        _ => state,
    };
}

/// <summary>A campaign: its settings govern its backlinks; pausing stops their steps, resuming sweeps them on.</summary>
internal sealed class CampaignGrain(
    IEventStore store, EventTypeRegistry registry, TimeProvider time, IGrainFactory grains, ISitemapFetchPort sitemaps, BacklinkImporter importer)
    : EventSourcedGrain<CampaignState, ICampaignEvent>(store, registry), ICampaignGrain
{
    /// <summary>A sitemap index inside a fetched child sitemap is followed once more, no deeper.</summary>
    private const int MaxSitemapDepth = 2;
    protected override CampaignState Initial => CampaignState.None;

    protected override CampaignState Evolve(CampaignState state, ICampaignEvent e) => CampaignState.Evolve(state, e);

    protected override string StreamId => $"{StreamIds.CampaignPrefix}{this.GetPrimaryKeyString()}";

    public async Task<bool> CreateAsync(CampaignSettings settings)
    {
        if (Current.Info is not null)
            return false;
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        RaiseEvent(new CampaignCreated(Guid.NewGuid(), key[..slash], key[(slash + 1)..], settings, time.GetUtcNow()));
        await ConfirmEvents();
        return true;
    }

    public Task<CampaignInfo?> GetAsync() => Task.FromResult(Current.Info);

    public Task<string?> GetStatusAsync() => Task.FromResult(Current.Info?.Status);

    public Task<CommandOutcome> PauseAsync() => Current.Info?.Status switch
    {
        null => Rejected("not-found", "No such campaign."),
        CampaignStatuses.Paused => Rejected("already-paused", "The campaign is paused already."),
        CampaignStatuses.Cancelled => Rejected("cancelled", "The campaign is cancelled."),
        _ => AppendAsync(new CampaignPaused(Guid.NewGuid(), time.GetUtcNow())),
    };

    public async Task<CommandOutcome> ResumeAsync()
    {
        var outcome = await (Current.Info?.Status switch
        {
            null => Rejected("not-found", "No such campaign."),
            CampaignStatuses.Active => Rejected("not-paused", "The campaign is not paused."),
            CampaignStatuses.Cancelled => Rejected("cancelled", "A cancelled campaign cannot be resumed."),
            _ => AppendAsync(new CampaignResumed(Guid.NewGuid(), time.GetUtcNow())),
        });
        if (outcome.Accepted)
            _ = grains.GetGrain<ISweeperGrain>(0).SweepSoonAsync(); // its backlinks are due already
        return outcome;
    }

    public Task<CommandOutcome> CancelAsync() => Current.Info?.Status switch
    {
        null => Rejected("not-found", "No such campaign."),
        CampaignStatuses.Cancelled => Rejected("cancelled", "The campaign is cancelled already."),
        _ => AppendAsync(new CampaignCancelled(Guid.NewGuid(), time.GetUtcNow())),
    };

    public async Task QueueSitemapsAsync(IReadOnlyList<string> urls)
    {
        var fresh = urls.Distinct().Where(u => !Current.Pending.Contains(u)).ToList();
        if (fresh.Count == 0 || Current.Info is null)
            return;
        var now = time.GetUtcNow();
        RaiseEvents(fresh.Select(u => new SitemapQueued(Guid.NewGuid(), u, now)));
        await ConfirmEvents();
        _ = this.AsReference<ICampaignGrain>().ImportQueuedSitemapsAsync();
    }

    public async Task ImportQueuedSitemapsAsync()
    {
        var key = this.GetPrimaryKeyString();
        var tenant = SharedKernel.Tenancy.TenantId.From(key[..key.IndexOf('/')]);
        var depth = 1;
        while (Current.Pending.Count > 0 && Current.Info is { Status: not CampaignStatuses.Cancelled } info && depth <= MaxSitemapDepth)
        {
            foreach (var url in Current.Pending.ToList())
            {
                var imported = await ImportSitemapAsync(tenant, info.CampaignId, url, queueChildren: depth < MaxSitemapDepth);
                if (imported is null)
                    return; // no fetcher bound: the sitemaps stay queued
                RaiseEvent(imported);
                await ConfirmEvents();
            }
            depth++;
        }
    }

    /// <summary>Fetches one sitemap and imports its URLs; a failure (refused, unreadable) is recorded, never retried blindly.</summary>
    private async Task<SitemapImported?> ImportSitemapAsync(SharedKernel.Tenancy.TenantId tenant, string campaignId, string url, bool queueChildren)
    {
        try
        {
            await using var stream = await sitemaps.OpenAsync(url, CancellationToken.None);
            if (stream is null)
                return null;
            var result = await importer.ImportAsync(tenant, campaignId, new SitemapImportReader(), stream, CancellationToken.None);
            if (queueChildren)
                RaiseEvents(result.QueuedSitemaps.Where(u => !Current.Pending.Contains(u)).Select(u => new SitemapQueued(Guid.NewGuid(), u, time.GetUtcNow())));
            return new SitemapImported(Guid.NewGuid(), url, result.Rows, result.Accepted, result.Duplicate, result.Rejected, result.Aborted, time.GetUtcNow());
        }
        catch (Exception e) when (e is ImportFormatException or IOException or HttpRequestException or TaskCanceledException)
        {
            return new SitemapImported(Guid.NewGuid(), url, 0, 0, 0, 0, e.InnerException?.Message ?? e.Message, time.GetUtcNow());
        }
    }

    private async Task<CommandOutcome> AppendAsync(ICampaignEvent e)
    {
        RaiseEvent(e);
        await ConfirmEvents();
        return new CommandOutcome(true, null, null, null);
    }

    private static Task<CommandOutcome> Rejected(string code, string message) =>
        Task.FromResult(new CommandOutcome(false, code, message, null));
}
