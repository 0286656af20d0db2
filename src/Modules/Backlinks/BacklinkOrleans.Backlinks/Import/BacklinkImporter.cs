using System.Globalization;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>Hands one validated row to its backlink grain.</summary>
internal interface IBacklinkCollector
{
    Task<CollectOutcome> CollectAsync(TenantId tenant, string urlHash, CollectBacklink command);
}

internal sealed class GrainBacklinkCollector(IGrainFactory grains) : IBacklinkCollector
{
    public Task<CollectOutcome> CollectAsync(TenantId tenant, string urlHash, CollectBacklink command) =>
        grains.GetGrain<IBacklinkGrain>($"{tenant.Value}/{urlHash}").CollectAsync(command);
}

/// <summary>
/// Streams rows from a reader, validates each, and collects the good ones with bounded concurrency. A bad row is
/// reported with its number, field and reason and never stops the good rows around it; memory holds only the rows
/// in flight and the error list.
/// </summary>
internal sealed class BacklinkImporter(IBacklinkCollector collector)
{
    public const int MaxAnchorLength = 500;
    public const int MaxNoteLength = 2_000;
    public const int Concurrency = 32;

    public async Task<ImportResult> ImportAsync(TenantId tenant, string campaignId, IImportReader reader, Stream body,
        CancellationToken cancellationToken)
    {
        var context = new ImportContext();
        long rows = 0, accepted = 0, duplicate = 0, rejected = 0;
        var errors = new List<ImportRowError>();
        var truncated = false;

        void Reject(long row, string field, string reason)
        {
            Interlocked.Increment(ref rejected);
            lock (errors)
            {
                if (errors.Count < ImportResult.MaxErrors)
                    errors.Add(new ImportRowError(row, field, reason));
                else
                    truncated = true;
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(reader.ReadAsync(body, context, cancellationToken), options, async (row, _) =>
        {
            Interlocked.Increment(ref rows);
            if (!TryValidate(row, campaignId, out var url, out var command, out var error))
            {
                Reject(row.Number, error.Field, error.Reason);
                return;
            }
            CollectOutcome outcome;
            try
            {
                outcome = await collector.CollectAsync(tenant, url.Sha256, command);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                Reject(row.Number, "url", $"could not be collected now ({e.GetType().Name}); import this row again");
                return;
            }
            switch (outcome.Result)
            {
                case CollectResult.Collected or CollectResult.JoinedCampaign:
                    Interlocked.Increment(ref accepted);
                    break;
                case CollectResult.Duplicate:
                    Interlocked.Increment(ref duplicate);
                    break;
                default:
                    Reject(row.Number, "url", outcome.Detail ?? "rejected");
                    break;
            }
        });

        var notes = new List<string>();
        if (context.ChildSitemaps.Count > 0)
            notes.Add($"This is a sitemap index: its {context.ChildSitemaps.Count} child sitemaps are queued, fetched through the "
                + "guarded HTTP client and imported in the background; their URLs appear in the campaign as they are read.");
        if (truncated)
            notes.Add($"Only the first {ImportResult.MaxErrors:N0} rejected rows are listed; 'rejected' counts them all.");
        return new ImportResult(rows, accepted, duplicate, rejected, [.. errors.OrderBy(e => e.Row)], truncated,
            context.ChildSitemaps, context.Aborted, notes);
    }

    private static bool TryValidate(ImportRow row, string campaignId, out NormalizedUrl url, out CollectBacklink command, out ImportRowError error)
    {
        url = null!;
        command = null!;
        error = null!;
        if (row.ReadError is not null)
            return Fail(out error, row, "row", row.ReadError);
        if (string.IsNullOrWhiteSpace(row.Url))
            return Fail(out error, row, "url", "the url is missing");
        if (!UrlNormalizer.TryNormalize(row.Url, out var normalized, out var rejection))
            return Fail(out error, row, "url", rejection.Detail);
        string? target = null;
        if (!string.IsNullOrWhiteSpace(row.TargetUrl))
        {
            if (!UrlNormalizer.TryNormalize(row.TargetUrl, out var normalizedTarget, out var targetRejection))
                return Fail(out error, row, "target_url", targetRejection.Detail);
            target = normalizedTarget.Value;
        }
        if (row.Anchor?.Length > MaxAnchorLength)
            return Fail(out error, row, "anchor", $"the anchor is longer than {MaxAnchorLength} characters");
        if (row.Note?.Length > MaxNoteLength)
            return Fail(out error, row, "note", $"the note is longer than {MaxNoteLength} characters");
        var priority = 50;
        if (!string.IsNullOrWhiteSpace(row.Priority)
            && (!int.TryParse(row.Priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out priority) || priority is < 0 or > 100))
            return Fail(out error, row, "priority", $"'{row.Priority}' is not a whole number from 0 to 100");

        url = normalized;
        command = new CollectBacklink(normalized.Value, campaignId, target, row.Anchor, row.Note, priority);
        return true;
    }

    private static bool Fail(out ImportRowError error, ImportRow row, string field, string reason)
    {
        error = new ImportRowError(row.Number, field, reason);
        return false;
    }
}
