using BacklinkOrleans.SharedKernel.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.SharedKernel.Subscriptions;

/// <summary>
/// The one reader of a subscription in a cluster (key: its name). A reminder keeps it activated somewhere; while it
/// is, a timer catches up every <see cref="SubscriptionOptions.PollInterval"/>. A lost silo loses nothing: the
/// checkpoint is in the database, and the next activation continues from it.
/// </summary>
public interface ISubscriptionGrain : IGrainWithStringKey
{
    Task EnsureRunningAsync();

    /// <summary>Handles everything committed so far (tests, audits, the demo); returns the events handled.</summary>
    Task<long> CatchUpAsync();
}

internal sealed partial class SubscriptionGrain(SubscriptionRunner runner, IOptions<SubscriptionOptions> options, IOptions<ReminderOptions> reminderOptions,
    ILogger<SubscriptionGrain> logger) : Grain, ISubscriptionGrain, IRemindable
{
    private IGrainTimer? timer;
    private int failures;

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(options.Value.PollInterval, options.Value.PollInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => this.EnsureKeepAliveAsync(reminderOptions.Value);

    public async Task<long> CatchUpAsync()
    {
        long total = 0;
        for (int handled; (handled = await runner.CatchUpAsync(Name, CancellationToken.None)) > 0;)
            total += handled;
        return total;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // activation is the point

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await runner.CatchUpAsync(Name, cancellationToken);
            failures = 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The batch rolled back; the next tick reads it again (slower after repeated failures).
            if (++failures is 1 or 10 or 100)
                LogFailed(logger, e, Name, failures);
            timer?.Change(TimeSpan.FromTicks(options.Value.PollInterval.Ticks * Math.Min(30, failures)), options.Value.PollInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Name} could not handle its next batch ({Failures} failures in a row); it will try again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name, int failures);
}

/// <summary>Activates every registered subscription's grain once the silo runs.</summary>
internal sealed class SubscriptionStarter(IGrainFactory grains, SubscriptionRunner runner, ILogger<SubscriptionStarter> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => KeepAlive.RetryUntilStartedAsync(
        () => Task.WhenAll(runner.Names.Select(name => grains.GetGrain<ISubscriptionGrain>(name).EnsureRunningAsync())), "the subscriptions", logger, stoppingToken);
}

public static class SubscriptionServiceCollectionExtensions
{
    /// <summary>The subscription runner and its grain's starter (once, however many modules ask).</summary>
    public static IServiceCollection AddSubscriptions(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(SubscriptionRunner)))
            return services;
        services.AddOptions<SubscriptionOptions>().Bind(configuration.GetSection("Subscriptions"))
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.BatchSize >= 1 && o.MaxBatchesPerTick >= 1,
                "Subscriptions:PollInterval must be positive; BatchSize and MaxBatchesPerTick at least 1.")
            .ValidateOnStart();
        services.AddSingleton<SubscriptionRunner>();
        services.AddHostedService<SubscriptionStarter>();
        return services;
    }
}
