using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>Re-drives overdue backlinks; one per cluster (key 0), ticking on its own reminder.</summary>
internal interface ISweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder if it is not registered with the configured period.</summary>
    Task EnsureRunningAsync();

    /// <summary>Claims and drives overdue backlinks in bounded batches; returns how many it drove.</summary>
    Task<int> SweepNowAsync();

    /// <summary>One-way <see cref="SweepNowAsync"/> (a resumed campaign asks for it).</summary>
    [OneWay]
    Task SweepSoonAsync();
}

internal sealed partial class SweeperGrain(
    BacklinkSchedule schedule,
    TimeProvider time,
    IGrainFactory grains,
    IOptions<BacklinkOptions> options,
    IOptions<ReminderOptions> reminderOptions,
    ILogger<SweeperGrain> logger) : Grain, ISweeperGrain, IRemindable
{
    private const string SweepReminder = "sweep";
    private const int MaxBatchesPerSweep = 20;
    private static readonly TimeSpan MaxSweepTime = TimeSpan.FromMinutes(2);
    private TimeSpan? registeredPeriod;

    private TimeSpan Period => TimeSpan.FromTicks(Math.Max(options.Value.SweepPeriod.Ticks, reminderOptions.Value.MinimumReminderPeriod.Ticks));

    public async Task EnsureRunningAsync()
    {
        var registered = (await this.GetReminders()).Any(r => r.ReminderName == SweepReminder) && registeredPeriod == Period;
        if (!registered)
        {
            await this.RegisterOrUpdateReminder(SweepReminder, Period, Period); // also when the configured period changed
            registeredPeriod = Period;
        }
    }

    public async Task<int> SweepNowAsync()
    {
        var driven = 0;
        var started = time.GetUtcNow();
        for (var batch = 0; batch < MaxBatchesPerSweep && time.GetUtcNow() - started < MaxSweepTime; batch++)
        {
            var now = time.GetUtcNow();
            var claimed = await schedule.ClaimDueAsync(now, now + options.Value.SweepLease, options.Value.SweepBatch, CancellationToken.None);
            foreach (var chunk in claimed.Chunk(Math.Max(1, options.Value.SweepParallelism)))
                await Task.WhenAll(chunk.Select(DriveOneAsync));
            driven += claimed.Count;
            if (claimed.Count < options.Value.SweepBatch)
                break;
        }
        if (driven > 0)
            LogSwept(logger, driven);
        return driven;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => SweepNowAsync();

    public Task SweepSoonAsync() => SweepNowAsync();

    private async Task DriveOneAsync((string Tenant, string UrlHash) backlink)
    {
        try
        {
            await grains.GetGrain<IBacklinkGrain>($"{backlink.Tenant}/{backlink.UrlHash}").DriveAsync();
        }
        catch (Exception e)
        {
            // The claim's lease brings it back in a later sweep.
            LogDriveFailed(logger, e, $"{backlink.Tenant}/{backlink.UrlHash}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep drove {Count} overdue backlinks")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep could not drive backlink {Backlink}")]
    private static partial void LogDriveFailed(ILogger logger, Exception exception, string backlink);
}
