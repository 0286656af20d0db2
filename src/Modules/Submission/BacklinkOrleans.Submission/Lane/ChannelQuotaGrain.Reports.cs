using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// Requests a service reports on later (a paid vendor's tasks): asked about on a backoff schedule until done, the report
/// then delivered to the backlinks as index checks. One reminder per quota grain with reports awaited brings the grain
/// back after a restart; the pump does the asking.
/// </summary>
internal sealed partial class ChannelQuotaGrain : IRemindable
{
    private const string ReportsReminder = "awaited-reports";
    private static readonly TimeSpan ReportsReminderPeriod = TimeSpan.FromMinutes(10);
    private const int PollsPerTick = 5;
    private bool reminded;

    /// <summary>Asks about the reports that are due (a few a tick), and records what each came to.</summary>
    private async Task PollReportsAsync(DateTimeOffset now)
    {
        foreach (var awaited in Current.Awaited.Where(a => a.NextPollAt <= now).OrderBy(a => a.NextPollAt).Take(PollsPerTick).ToList())
        {
            var lookup = await CredentialAsync(awaited.CredentialId, now);
            ReportPoll poll;
            if (lookup.Credential is not { } credential)
                poll = new ReportPoll(false, null, lookup.Unreadable ?? "the credential was removed; its report cannot be asked for", Failed: true);
            else
            {
                try
                {
                    poll = await channel.PollAsync(new ChannelPoll(tenant, credential.Credential, credential.Secret, awaited.BatchId, awaited.Token, awaited.Items),
                        CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogPollFailed(logger, e, Key, awaited.BatchId);
                    poll = new ReportPoll(false, null, $"asking failed: {e.GetType().Name}", Failed: true);
                }
            }
            if (QuotaLedgerDecider.Poll(Current, awaited.BatchId, poll, Options, time.GetUtcNow(), jitter.NextDouble(), Guid.CreateVersion7) is { } decided
                && await AppendLedgerAsync(decided) && decided is ReportReceived)
                LogReportReceived(logger, Key, awaited.BatchId, awaited.Items.Count);
        }
        await KeepReminderAsync();
    }

    private long awaitedVersion = -1;
    private Dictionary<string, DateTimeOffset> awaitedUrls = new(StringComparer.Ordinal);

    /// <summary>Until when a URL whose report is awaited waits (its request's next asking), if it is awaited. Indexed per ledger version.</summary>
    private DateTimeOffset? AwaitedUntil(string urlHash)
    {
        if (Current.Awaited.Count == 0)
            return null;
        if (awaitedVersion != Version)
        {
            awaitedUrls = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var report in Current.Awaited)
            {
                foreach (var item in report.Items)
                    awaitedUrls[item.UrlHash] = report.NextPollAt;
            }
            awaitedVersion = Version;
        }
        return awaitedUrls.TryGetValue(urlHash, out var due) ? due : null;
    }

    /// <summary>A reminder while reports are awaited (so a restart does not forget them); none otherwise.</summary>
    private async Task KeepReminderAsync()
    {
        var wanted = Current.Awaited.Count > 0;
        if (wanted == reminded)
            return;
        try
        {
            if (wanted)
                await this.RegisterOrUpdateReminder(ReportsReminder, ReportsReminderPeriod, ReportsReminderPeriod);
            else if (await this.GetReminder(ReportsReminder) is { } reminder)
                await this.UnregisterReminder(reminder);
            reminded = wanted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReminderFailed(logger, e, Key); // tried again at the next tick
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        reminded = true;
        StartPump(immediately: true);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: asking how request {BatchId} stands failed; asked again later")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string key, string batchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota {Key}: the report on request {BatchId} arrived ({Count} URLs)")]
    private static partial void LogReportReceived(ILogger logger, string key, string batchId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota {Key}: the reminder for awaited reports could not be changed; tried again")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string key);
}
