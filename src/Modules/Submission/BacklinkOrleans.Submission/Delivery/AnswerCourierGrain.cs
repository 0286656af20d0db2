using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace BacklinkOrleans.Submission.Delivery;

/// <summary>One channel answer on its way to the backlinks it concerns.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.answer-delivery")]
internal sealed record AnswerDelivery(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string QuotaGrain,
    [property: Id(2)] bool Acknowledge,
    [property: Id(3)] string AnswerId,
    [property: Id(4)] IReadOnlyList<AddressedReport> Reports);

/// <summary>A report for the backlink of <see cref="UrlHash"/>.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.addressed-report")]
internal sealed record AddressedReport([property: Id(0)] string UrlHash, [property: Id(1)] SubmissionReport Report);

/// <summary>
/// Carries a quota grain's answers to the backlink grains, so the quota grain never waits on a backlink (which may be
/// waiting on it): the quota grain hands an answer over one-way and goes on; the courier records it on every backlink
/// and then acknowledges it, and an answer not acknowledged in time is handed over again (recording is idempotent).
/// </summary>
internal interface IAnswerCourierGrain : IGrainWithIntegerKey
{
    [OneWay]
    Task DeliverAsync(AnswerDelivery delivery);
}

[StatelessWorker]
internal sealed partial class AnswerCourierGrain(IGrainFactory grains, ILogger<AnswerCourierGrain> logger) : Grain, IAnswerCourierGrain
{
    private const int Parallelism = 32;

    public async Task DeliverAsync(AnswerDelivery delivery)
    {
        var failed = 0;
        foreach (var chunk in delivery.Reports.Chunk(Parallelism))
        {
            await Task.WhenAll(chunk.Select(async item =>
            {
                try
                {
                    await grains.GetGrain<IBacklinkGrain>($"{delivery.Tenant}/{item.UrlHash}").RecordSubmissionAsync(item.Report);
                }
                catch (Exception e)
                {
                    failed++; // one thread at a time: the grain's scheduler runs these continuations
                    LogFailed(logger, e, item.UrlHash, delivery.AnswerId);
                }
            }));
        }
        if (failed == 0 && delivery.Acknowledge)
            await grains.GetGrain<IIndexNowKeyGrain>(delivery.QuotaGrain).AcknowledgeAsync(delivery.AnswerId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlink {UrlHash} could not record answer {AnswerId}; it is delivered again later")]
    private static partial void LogFailed(ILogger logger, Exception exception, string urlHash, string answerId);
}
