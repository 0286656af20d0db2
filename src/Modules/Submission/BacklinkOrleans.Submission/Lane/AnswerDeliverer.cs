using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// One URL's share of an answer, addressed to its backlink: a submission's (<see cref="Report"/>) or an index check's
/// (<see cref="Check"/>); neither: nothing for the backlink to record (a check that must be made again), it counts as delivered.
/// </summary>
internal sealed record AddressedReport(string UrlHash, SubmissionReport? Report, IndexCheckReport? Check = null);

/// <summary>
/// Carries quota grains' answers to the backlinks, on this silo, so a quota grain never waits on a backlink (which may
/// be waiting on it): the grain hands an answer over from its timer and goes on; the deliverer records it on each
/// backlink, many at once (bounded per silo), and acknowledges the URLs that recorded it in one call per answer. An
/// answer is handed over again later only for the URLs that did not (recording is idempotent), and not while its last
/// hand-over is still being delivered: on a slow silo, re-handing it would pile copies of the same calls up.
/// </summary>
internal sealed partial class AnswerDeliverer(IGrainFactory grains, ILogger<AnswerDeliverer> logger)
{
    /// <summary>Backlink calls in flight at most, per silo.</summary>
    public const int Concurrency = 256;

    private readonly SemaphoreSlim slots = new(Concurrency, Concurrency);
    private readonly ConcurrentDictionary<(string QuotaGrain, string AnswerId), bool> inFlight = new();

    /// <summary>
    /// Delivers in the background; <paramref name="acknowledge"/>: tell the quota grain which URLs recorded it (an
    /// answer kept until then, so handed over again later). False: not handed over, because the same kept answer of
    /// the same quota grain is still being delivered.
    /// </summary>
    public bool Deliver(string tenant, string quotaGrain, string answerId, IReadOnlyList<AddressedReport> reports, bool acknowledge)
    {
        // A kept answer (acknowledged once recorded) goes once at a time; a refusal, kept nowhere, always goes.
        if (acknowledge && !inFlight.TryAdd((quotaGrain, answerId), true))
            return false;
        _ = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(tenant, quotaGrain, answerId, reports, acknowledge);
            }
            finally
            {
                if (acknowledge)
                    inFlight.TryRemove((quotaGrain, answerId), out _);
            }
        });
        return true;
    }

    private async Task DeliverAsync(string tenant, string quotaGrain, string answerId, IReadOnlyList<AddressedReport> reports, bool acknowledge)
    {
        var recorded = new List<string>(reports.Count);
        await Task.WhenAll(reports.Select(async item =>
        {
            await slots.WaitAsync();
            try
            {
                var backlink = grains.Reference<IBacklinkGrain>($"{tenant}/{item.UrlHash}");
                var outcome = item switch
                {
                    { Report: { } report } => await backlink.RecordSubmissionAsync(report),
                    { Check: { } check } => await backlink.RecordIndexCheckAsync(check),
                    _ => null,
                };
                // A backlink that refuses the answer (retired, never collected) has nothing to record: it counts as delivered.
                lock (recorded)
                    recorded.Add(item.UrlHash);
                if (outcome is { Accepted: false })
                    LogRefused(logger, item.UrlHash, answerId, outcome.RejectionCode);
            }
            catch (Exception e)
            {
                LogFailed(logger, e, item.UrlHash, answerId);
            }
            finally
            {
                slots.Release();
            }
        }));
        if (!acknowledge || recorded.Count == 0)
            return;
        try
        {
            await grains.Reference<IChannelQuotaGrain>(quotaGrain).AcknowledgeAsync(answerId, recorded);
        }
        catch (Exception e)
        {
            LogNotAcknowledged(logger, e, answerId); // delivered again later; recording it again changes nothing
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlink {UrlHash} could not record answer {AnswerId}; it is delivered again later")]
    private static partial void LogFailed(ILogger logger, Exception exception, string urlHash, string answerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backlink {UrlHash} had nothing to record of answer {AnswerId} ({Code})")]
    private static partial void LogRefused(ILogger logger, string urlHash, string answerId, string? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answer {AnswerId} was delivered but its acknowledgement was not; it is delivered again later")]
    private static partial void LogNotAcknowledged(ILogger logger, Exception exception, string answerId);
}
