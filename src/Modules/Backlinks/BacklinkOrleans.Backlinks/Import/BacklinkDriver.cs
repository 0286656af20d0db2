using System.Threading.Channels;
using BacklinkOrleans.Backlinks.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// The fast path of freshly imported backlinks on this silo: a queue of keys and <see cref="BacklinkOptions.DriveConcurrency"/>
/// workers that each wake one backlink grain at a time, so an import of a million rows drives its backlinks as fast as
/// routing, validation and the store allow without a million calls in flight. The queue is memory only: a backlink
/// still queued when the silo stops is driven by its scheduler shard after <see cref="BacklinkOptions.FastPathGrace"/>.
/// </summary>
internal sealed partial class BacklinkDriver(IGrainFactory grains, IOptions<BacklinkOptions> options, ILogger<BacklinkDriver> logger)
    : BackgroundService
{
    private readonly Channel<(string Key, long Version)> queue = Channel.CreateUnbounded<(string, long)>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private long queued;

    /// <summary>Backlinks waiting for a worker.</summary>
    public long Queued => Interlocked.Read(ref queued);

    public void Wake(string backlinkKey, long version)
    {
        if (queue.Writer.TryWrite((backlinkKey, version)))
            Interlocked.Increment(ref queued);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.DriveConcurrency).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (key, version) in queue.Reader.ReadAllAsync(stoppingToken))
            {
                Interlocked.Decrement(ref queued);
                try
                {
                    await grains.Reference<IBacklinkGrain>(key).WakeAsync(version);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWakeFailed(logger, e, key); // its shard drives it after the grace period
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backlink {Backlink} could not be driven now; its scheduler shard will")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string backlink);
}
