using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// One scheduler shard (key: its index, 0 … Shards-1): on its one Orleans reminder it claims the due backlinks of
/// its share of the hash space from <c>next_action_at</c>, in set-based batches, and drives them. A million waiting
/// follow-ups are a million rows and <c>Shards</c> reminders, not a million reminders (ADR 0016).
/// </summary>
internal interface ISchedulerShardGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the shard's reminder if it is not registered with the configured period.</summary>
    Task EnsureRunningAsync();

    /// <summary>Claims and drives the shard's due backlinks in bounded batches; returns how many it drove.</summary>
    Task<int> SweepNowAsync();

    /// <summary>One-way <see cref="SweepNowAsync"/> (a resumed campaign asks every shard).</summary>
    [OneWay]
    Task SweepSoonAsync();
}

internal sealed partial class SchedulerShardGrain(
    BacklinkSchedule schedule,
    TimeProvider time,
    IGrainFactory grains,
    IOptions<BacklinkOptions> options,
    IOptions<ReminderOptions> reminderOptions,
    ILogger<SchedulerShardGrain> logger) : Grain, ISchedulerShardGrain, IRemindable
{
    private const string TickReminder = "tick";
    private const int MaxBatchesPerSweep = 40;
    private static readonly TimeSpan MaxSweepTime = TimeSpan.FromMinutes(2);
    private TimeSpan? registeredPeriod;

    private TimeSpan Period => TimeSpan.FromTicks(Math.Max(options.Value.SweepPeriod.Ticks, reminderOptions.Value.MinimumReminderPeriod.Ticks));

    public async Task EnsureRunningAsync()
    {
        var registered = registeredPeriod == Period && (await this.GetReminders()).Any(r => r.ReminderName == TickReminder);
        if (!registered)
        {
            await this.RegisterOrUpdateReminder(TickReminder, Period, Period); // also when the configured period changed
            registeredPeriod = Period;
        }
    }

    public async Task<int> SweepNowAsync()
    {
        var (first, last) = BacklinkSchedule.Range((int)this.GetPrimaryKeyLong(), Math.Clamp(options.Value.Shards, 1, ReadModels.Shards.Bytes));
        var driven = 0;
        var started = time.GetUtcNow();
        for (var batch = 0; batch < MaxBatchesPerSweep && time.GetUtcNow() - started < MaxSweepTime; batch++)
        {
            var now = time.GetUtcNow();
            var claimed = await schedule.ClaimDueAsync(first, last, now, now + options.Value.SweepLease, options.Value.SweepBatch, CancellationToken.None);
            await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.SweepParallelism) },
                async (backlink, _) => await DriveOneAsync(backlink));
            driven += claimed.Count;
            if (claimed.Count < options.Value.SweepBatch)
                break;
        }
        if (driven > 0)
            LogSwept(logger, this.GetPrimaryKeyLong(), driven);
        return driven;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => SweepNowAsync();

    public Task SweepSoonAsync() => SweepNowAsync();

    private async Task DriveOneAsync((string Tenant, string UrlHash) backlink)
    {
        try
        {
            await grains.Reference<IBacklinkGrain>($"{backlink.Tenant}/{backlink.UrlHash}").DriveAsync();
        }
        catch (Exception e)
        {
            // The claim's lease brings it back in a later sweep.
            LogDriveFailed(logger, e, $"{backlink.Tenant}/{backlink.UrlHash}");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduler shard {Shard} drove {Count} due backlinks")]
    private static partial void LogSwept(ILogger logger, long shard, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler shard could not drive backlink {Backlink}")]
    private static partial void LogDriveFailed(ILogger logger, Exception exception, string backlink);
}
