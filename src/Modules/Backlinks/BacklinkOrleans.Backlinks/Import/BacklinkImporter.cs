using System.Globalization;
using System.Threading.Channels;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>A validated row to collect: its number (for errors), its URL's hash and the command.</summary>
internal sealed record CollectRow(long Number, string UrlHash, string Host, CollectBacklink Command);

/// <summary>Collects validated rows, a chunk at a time; answers one outcome per row, in order.</summary>
internal interface IBacklinkCollector
{
    Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken);
}

/// <summary>
/// Streams rows from a reader, validates each, and collects the good ones a chunk at a time (a few chunks at once).
/// A bad row is reported with its number, field and reason and never stops the good rows around it; memory holds only
/// the chunks in flight and the error list.
/// </summary>
internal sealed class BacklinkImporter(IBacklinkCollector collector)
{
    public const int MaxAnchorLength = 500;
    public const int MaxNoteLength = 2_000;
    public const int ChunkSize = 500;
    public const int ChunksInFlight = 8;

    /// <summary>Pauses before the next attempts to collect a chunk the cluster could not take: about a minute in all.</summary>
    private static readonly TimeSpan[] CollectRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)];

    public async Task<ImportResult> ImportAsync(TenantId tenant, string campaignId, IImportReader reader, Stream body,
        CancellationToken cancellationToken)
    {
        using var activity = SharedKernel.Diagnostics.Telemetry.Activities.StartActivity("backlinks.import");
        activity?.SetTag("tenant", tenant.Value);
        activity?.SetTag("campaign", campaignId);
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

        var chunks = Channel.CreateBounded<List<CollectRow>>(ChunksInFlight);
        var collecting = Enumerable.Range(0, ChunksInFlight).Select(_ => Task.Run(async () =>
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken))
            {
                var (outcomes, failure) = await CollectWithRetriesAsync(tenant, chunk, cancellationToken);
                if (outcomes is null)
                {
                    foreach (var row in chunk)
                        Reject(row.Number, "url", $"could not be collected now ({failure}); import this row again");
                    continue;
                }
                for (var i = 0; i < chunk.Count; i++)
                {
                    switch (outcomes[i].Result)
                    {
                        case CollectResult.Collected or CollectResult.JoinedCampaign:
                            Interlocked.Increment(ref accepted);
                            break;
                        case CollectResult.Duplicate:
                            Interlocked.Increment(ref duplicate);
                            break;
                        default:
                            Reject(chunk[i].Number, "url", outcomes[i].Detail ?? "rejected");
                            break;
                    }
                }
            }
        }, cancellationToken)).ToList();

        try
        {
            var chunk = new List<CollectRow>(ChunkSize);
            await foreach (var row in reader.ReadAsync(body, context, cancellationToken))
            {
                rows++;
                if (!TryValidate(row, campaignId, out var url, out var command, out var error))
                {
                    Reject(row.Number, error.Field, error.Reason);
                    continue;
                }
                chunk.Add(new CollectRow(row.Number, url.Sha256, url.Host, command));
                if (chunk.Count == ChunkSize)
                {
                    await chunks.Writer.WriteAsync(chunk, cancellationToken);
                    chunk = new List<CollectRow>(ChunkSize);
                }
            }
            if (chunk.Count > 0)
                await chunks.Writer.WriteAsync(chunk, cancellationToken);
        }
        finally
        {
            chunks.Writer.TryComplete();
            await Task.WhenAll(collecting);
        }

        var notes = new List<string>();
        if (context.ChildSitemaps.Count > 0)
            notes.Add($"This is a sitemap index: its {context.ChildSitemaps.Count} child sitemaps are queued, fetched through the "
                + "guarded HTTP client and imported in the background; their URLs appear in the campaign as they are read.");
        if (truncated)
            notes.Add($"Only the first {ImportResult.MaxErrors:N0} rejected rows are listed; 'rejected' counts them all.");
        activity?.SetTag("rows", rows);
        activity?.SetTag("accepted", accepted);
        activity?.SetTag("rejected", rejected);
        return new ImportResult(rows, accepted, duplicate, rejected, [.. errors.OrderBy(e => e.Row)], truncated,
            context.ChildSitemaps, context.Aborted, notes);
    }

    /// <summary>
    /// Collects a chunk, trying again while the cluster cannot take it now (a silo leaving moves grains; messages to it
    /// are rejected or time out): collecting is idempotent, so a row collected by an attempt whose answer was lost
    /// counts as a duplicate on the next. Null outcomes when every attempt failed, with the last failure.
    /// </summary>
    private async Task<(IReadOnlyList<CollectOutcome>? Outcomes, string? Failure)> CollectWithRetriesAsync(TenantId tenant, List<CollectRow> chunk,
        CancellationToken cancellationToken)
    {
        string? failure = null;
        for (var attempt = 0; attempt <= CollectRetries.Length; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(CollectRetries[attempt - 1], cancellationToken);
            try
            {
                return (await collector.CollectManyAsync(tenant, chunk, cancellationToken), null);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                failure = $"{e.GetType().Name} after {attempt + 1} attempts";
            }
        }
        return (null, failure);
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
        if (row.Url.Length > UrlNormalizer.MaxLength)
            return Fail(out error, row, "url", $"the URL is longer than {UrlNormalizer.MaxLength:N0} characters");
        if (row.TargetUrl?.Length > UrlNormalizer.MaxLength)
            return Fail(out error, row, "target_url", $"the URL is longer than {UrlNormalizer.MaxLength:N0} characters");
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
