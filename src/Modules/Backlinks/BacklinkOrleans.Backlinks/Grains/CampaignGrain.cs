using System.Collections.Immutable;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Backlinks.Grains;

/// <param name="SitemapsQueued">Sitemaps ever queued in the campaign; <param name="SitemapRows">rows read from them.</param></param>
internal sealed record CampaignState(CampaignInfo? Info, ImmutableHashSet<string>? PendingSitemaps = null, int SitemapsQueued = 0, long SitemapRows = 0)
{
    public static readonly CampaignState None = new((CampaignInfo?)null);

    public ImmutableHashSet<string> Pending => PendingSitemaps ?? [];

    public static CampaignState Evolve(CampaignState state, ICampaignEvent e) => (state.Info, e) switch
    {
        ({ }, SitemapQueued q) => state with { PendingSitemaps = state.Pending.Add(q.Url), SitemapsQueued = state.SitemapsQueued + 1 },
        ({ }, SitemapImported i) => state with { PendingSitemaps = state.Pending.Remove(i.Url), SitemapRows = state.SitemapRows + i.Rows },
        (null, CampaignCreated c) => new(new CampaignInfo(c.CampaignId, c.Settings, CampaignStatuses.Active, c.At,
            c.Settings.DripDays is null ? null : c.At, c.Settings.DripDays is null ? 0 : 1), []),
        ({ } info, CampaignDripChanged d) => state with
        {
            Info = info with { Settings = info.Settings with { DripDays = d.Days }, DripSince = d.Days is null ? null : d.At, DripPlan = info.DripPlan + 1 },
        },
        ({ } info, CampaignPaused) => state with { Info = info with { Status = CampaignStatuses.Paused } },
        ({ } info, CampaignResumed) => state with { Info = info with { Status = CampaignStatuses.Active } },
        ({ } info, CampaignCancelled) => state with { Info = info with { Status = CampaignStatuses.Cancelled } },
        _ => state,
    };
}

/// <summary>A campaign: its settings govern its backlinks; pausing stops their steps, resuming sweeps them on.</summary>
internal sealed class CampaignGrain(IEventStore store, EventTypeRegistry registry, TimeProvider time, IGrainFactory grains,
    Microsoft.Extensions.Options.IOptions<BacklinkOptions> options, Scheduling.BacklinkSchedule schedule)
    : EventSourcedGrain<CampaignState, ICampaignEvent>(store, registry), ICampaignGrain
{
    protected override CampaignState Initial => CampaignState.None;

    protected override CampaignState Evolve(CampaignState state, ICampaignEvent e) => CampaignState.Evolve(state, e);

    protected override string StreamId => $"{StreamIds.CampaignPrefix}{this.GetPrimaryKeyString()}";

    public async Task<bool> CreateAsync(CampaignSettings settings)
    {
        if (Current.Info is not null)
            return false;
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        return await AppendAsync([new CampaignCreated(Guid.CreateVersion7(), key[..slash], key[(slash + 1)..], settings, time.GetUtcNow())]);
    }

    public Task<CampaignInfo?> GetAsync() => Task.FromResult(Current.Info);

    public Task<string?> GetStatusAsync() => Task.FromResult(Current.Info?.Status);

    public Task<CommandOutcome> PauseAsync() => Current.Info?.Status switch
    {
        null => Rejected("not-found", "No such campaign."),
        CampaignStatuses.Paused => Rejected("already-paused", "The campaign is paused already."),
        CampaignStatuses.Cancelled => Rejected("cancelled", "The campaign is cancelled."),
        _ => AppendAsync(new CampaignPaused(Guid.CreateVersion7(), time.GetUtcNow())),
    };

    public async Task<CommandOutcome> ResumeAsync()
    {
        var outcome = await (Current.Info?.Status switch
        {
            null => Rejected("not-found", "No such campaign."),
            CampaignStatuses.Active => Rejected("not-paused", "The campaign is not paused."),
            CampaignStatuses.Cancelled => Rejected("cancelled", "A cancelled campaign cannot be resumed."),
            _ => AppendAsync(new CampaignResumed(Guid.CreateVersion7(), time.GetUtcNow())),
        });
        if (outcome.Accepted)
        {
            foreach (var shard in Enumerable.Range(0, Math.Clamp(options.Value.Shards, 1, ReadModels.Shards.Bytes)))
                grains.GetGrain<ISchedulerShardGrain>(shard).SweepSoonAsync().Ignore(); // its backlinks are due already
            StartSitemapImport();
        }
        return outcome;
    }

    public async Task<CommandOutcome> SetDripAsync(int? days)
    {
        if (days is < 1 or > CampaignSettings.MaxDripDays)
            return new CommandOutcome(false, "invalid-drip", $"A drip-feed spreads submissions over 1 to {CampaignSettings.MaxDripDays} days.", null);
        var outcome = await (Current.Info?.Status switch
        {
            null => Rejected("not-found", "No such campaign."),
            CampaignStatuses.Cancelled => Rejected("cancelled", "The campaign is cancelled."),
            _ => AppendAsync(new CampaignDripChanged(Guid.CreateVersion7(), days, time.GetUtcNow())),
        });
        if (outcome.Accepted)
        {
            // The backlinks waiting for a slot of the old plan ask again now (their waits are the old plan's).
            var key = this.GetPrimaryKeyString();
            await schedule.WakeWaitingAsync(key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..], time.GetUtcNow(), CancellationToken.None);
            foreach (var shard in Enumerable.Range(0, Math.Clamp(options.Value.Shards, 1, ReadModels.Shards.Bytes)))
                grains.GetGrain<ISchedulerShardGrain>(shard).SweepSoonAsync().Ignore();
        }
        return outcome;
    }

    public Task<CommandOutcome> CancelAsync() => Current.Info?.Status switch
    {
        null => Rejected("not-found", "No such campaign."),
        CampaignStatuses.Cancelled => Rejected("cancelled", "The campaign is cancelled already."),
        _ => AppendAsync(new CampaignCancelled(Guid.CreateVersion7(), time.GetUtcNow())),
    };

    public async Task<SitemapsQueued> QueueSitemapsAsync(IReadOnlyList<string> urls)
    {
        var pending = Current.Pending;
        var fresh = urls.Distinct().Where(u => !pending.Contains(u)).ToList();
        if (fresh.Count == 0 || Current.Info is null)
            return new SitemapsQueued(0, 0);
        var room = Math.Max(0, SitemapLimits.PerCampaign - Current.SitemapsQueued);
        var taken = fresh.Take(room).ToList();
        if (taken.Count > 0)
        {
            var now = time.GetUtcNow();
            await AppendAsync([.. taken.Select(u => new SitemapQueued(Guid.CreateVersion7(), u, now))]);
            StartSitemapImport();
        }
        return new SitemapsQueued(taken.Count, fresh.Count - taken.Count);
    }

    public Task<IReadOnlyList<string>> GetPendingSitemapsAsync(int max) => Task.FromResult<IReadOnlyList<string>>([.. Current.Pending.Take(max)]);

    public Task<long> GetSitemapRowsAsync() => Task.FromResult(Current.SitemapRows);

    public async Task RecordSitemapImportedAsync(SitemapImported imported)
    {
        if (!Current.Pending.Contains(imported.Url))
            return;
        await AppendAsync([imported]);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        StartSitemapImport(); // resumes an import that a crash or a deactivation interrupted
    }

    /// <summary>The import runs in a grain of its own, so this campaign keeps answering while sitemaps are read.</summary>
    private void StartSitemapImport()
    {
        if (!Current.Pending.IsEmpty && Current.Info is { Status: CampaignStatuses.Active })
            _ = grains.GetGrain<ISitemapImportGrain>(this.GetPrimaryKeyString()).ImportAsync();
    }

    private async Task<CommandOutcome> AppendAsync(ICampaignEvent e) =>
        await AppendAsync([e]) ? new CommandOutcome(true, null, null, null) : new CommandOutcome(false, "conflict", "The campaign changed meanwhile; try again.", null);

    private static Task<CommandOutcome> Rejected(string code, string message) =>
        Task.FromResult(new CommandOutcome(false, code, message, null));
}
