using BacklinkOrleans.SharedKernel.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>The cluster's one webhook sender (key 0): a reminder keeps it activated; a timer sends what is due.</summary>
internal interface IWebhookDispatcherGrain : IGrainWithIntegerKey
{
    Task EnsureRunningAsync();

    /// <summary>Sends what is due now (tests, the demo); returns how many deliveries were attempted.</summary>
    Task<int> DeliverNowAsync();
}

internal sealed partial class WebhookDispatcherGrain(WebhookDispatcher dispatcher, IOptions<WebhookOptions> options, IOptions<ReminderOptions> reminderOptions,
    ILogger<WebhookDispatcherGrain> logger) : Grain, IWebhookDispatcherGrain, IRemindable
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(options.Value.PollInterval, options.Value.PollInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => this.EnsureKeepAliveAsync(reminderOptions.Value);

    public Task<int> DeliverNowAsync() => dispatcher.DeliverDueAsync(CancellationToken.None);

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.DeliverDueAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook dispatch failed; the next tick tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
