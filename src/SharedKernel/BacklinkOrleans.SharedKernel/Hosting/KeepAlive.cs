using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.SharedKernel.Hosting;

/// <summary>
/// Helpers of the cluster's singleton grains (a subscription's reader, the webhook dispatcher, the scheduler shards):
/// one reminder keeps each activated somewhere, and every silo asks for it at start until the cluster answers.
/// </summary>
public static partial class KeepAlive
{
    public const string ReminderName = "keep-alive";

    /// <summary>Registers the grain's keep-alive reminder unless it is registered (every minute, or Orleans' minimum period if longer).</summary>
    public static async Task EnsureKeepAliveAsync<T>(this T grain, ReminderOptions options) where T : Grain, IRemindable
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, options.MinimumReminderPeriod.Ticks));
        if (!(await grain.GetReminders()).Any(r => r.ReminderName == ReminderName))
            await grain.RegisterOrUpdateReminder(ReminderName, period, period);
    }

    /// <summary>Runs <paramref name="start"/> until it succeeds (a silo's first calls can fail while the cluster forms), waiting longer each time.</summary>
    public static async Task RetryUntilStartedAsync(Func<Task> start, string what, ILogger logger, CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await start();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNotYet(logger, e, what, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start {What} yet (attempt {Attempt}); retrying")]
    private static partial void LogNotYet(ILogger logger, Exception exception, string what, int attempt);
}
