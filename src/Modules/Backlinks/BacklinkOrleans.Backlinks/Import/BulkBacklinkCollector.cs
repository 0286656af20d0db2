using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// Collects an import a chunk at a time without a grain call per new URL (ADR 0017). A URL the tenant does not have
/// yet is decided by <see cref="BacklinkDecider"/> like the grain would and appended to its new stream at version 0,
/// every append of the chunk in the same group commit; the <see cref="BacklinkDriver"/> then wakes it. Anything
/// else goes to the backlink grain, which stays the single writer of every stream that exists: a URL already
/// collected (unless it is already in this campaign: a duplicate), and a new URL whose append lost the race to
/// another writer (the version-0 append is the same optimistic check the grain's own append makes).
/// </summary>
internal sealed class BulkBacklinkCollector(
    IEventStore store,
    EventTypeRegistry registry,
    BacklinkQueries queries,
    BacklinkDriver driver,
    IGrainFactory grains,
    TimeProvider time) : IBacklinkCollector
{
    /// <summary>Grain calls at once per chunk for the URLs the grains decide.</summary>
    public const int GrainCallsInFlight = 32;

    public async Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken)
    {
        var outcomes = new CollectOutcome?[rows.Count];
        if (rows.Count == 0)
            return [];
        var campaign = rows[0].Command.CampaignId;
        var existing = await queries.ExistingAsync(tenant.Value, campaign,
            rows.Select(r => r.UrlHash).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);

        var firstOfHash = new Dictionary<string, int>(StringComparer.Ordinal);
        var toGrain = new List<int>();
        var appends = new List<Task>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (firstOfHash.TryGetValue(row.UrlHash, out var first) && rows[first].Command.CampaignId == row.Command.CampaignId)
            {
                outcomes[i] = new CollectOutcome(CollectResult.Duplicate); // the same URL twice in one chunk
                continue;
            }
            firstOfHash.TryAdd(row.UrlHash, i);
            if (existing.TryGetValue(row.UrlHash, out var inCampaign))
            {
                if (inCampaign && row.Command.CampaignId == campaign)
                    outcomes[i] = new CollectOutcome(CollectResult.Duplicate);
                else
                    toGrain.Add(i);
                continue;
            }
            appends.Add(AppendNewAsync(i));
        }
        await Task.WhenAll(appends);

        // distinct URLs from here on, so their order does not matter
        await Parallel.ForEachAsync(toGrain, new ParallelOptions { MaxDegreeOfParallelism = GrainCallsInFlight, CancellationToken = cancellationToken },
            async (i, _) => outcomes[i] = await grains.Reference<IBacklinkGrain>($"{tenant.Value}/{rows[i].UrlHash}").CollectAsync(rows[i].Command));
        return outcomes.Select(o => o!).ToList();

        async Task AppendNewAsync(int index)
        {
            var appended = false;
            try
            {
                appended = await TryAppendNewAsync(tenant, rows[index], cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // the store failed this append: the grain tries again (and reports what it finds)
            }
            if (appended)
                outcomes[index] = new CollectOutcome(CollectResult.Collected);
            else
                lock (toGrain)
                    toGrain.Add(index); // another writer was first: the grain decides
        }
    }

    private async Task<bool> TryAppendNewAsync(TenantId tenant, CollectRow row, CancellationToken cancellationToken)
    {
        var decision = BacklinkDecider.Decide(BacklinkState.None.Instance,
            new BacklinkCommand.Collect(tenant.Value, row.UrlHash, row.Command.Url, row.Host, row.Command, time.GetUtcNow()), Guid.CreateVersion7);
        if (decision.Rejection is not null || decision.Events.Count == 0)
            return false; // the grain answers with the reason
        var data = decision.Events.Select(e => registry.ToEventData(e)).ToList();
        var result = await store.AppendAsync(StreamIds.Backlink(tenant.Value, row.UrlHash), 0, data, cancellationToken);
        if (result.Status != AppendStatus.Appended)
            return false;
        driver.Wake($"{tenant.Value}/{row.UrlHash}", result.StreamVersion);
        return true;
    }
}
