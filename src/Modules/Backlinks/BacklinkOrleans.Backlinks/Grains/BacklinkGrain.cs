using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.Backlinks.Scheduling;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// One backlink's lifecycle: decisions by <see cref="BacklinkDecider"/>, events in the stream
/// <c>backlink/{tenant}/{sha256}</c>. The fast path (collected → routed → validated → handed to a quota grain)
/// runs by one-way self calls, without reminders; its crash safety is <c>next_action_at</c> and the sweeper.
/// Long waits (index checks hours away) register the <c>followup</c> reminder, removed when nothing is pending.
/// </summary>
internal sealed partial class BacklinkGrain(
    IEventStore store,
    EventTypeRegistry registry,
    TimeProvider time,
    IGrainFactory grains,
    IRoutingPort routing,
    IValidationPort validation,
    ISubmissionPort submission,
    IIndexCheckPort indexCheck,
    BacklinkSchedule schedule,
    IOptions<BacklinkOptions> options,
    IOptions<ReminderOptions> reminderOptions,
    ILogger<BacklinkGrain> logger)
    : EventSourcedGrain<BacklinkState, IBacklinkEvent>(store, registry), IBacklinkGrain, IRemindable
{
    private const string FollowupReminder = "followup";
    private const int MaxStepsPerDrive = 8;
    private BacklinkKey key;

    protected override BacklinkState Initial => BacklinkState.None.Instance;

    protected override BacklinkState Evolve(BacklinkState state, IBacklinkEvent e) => BacklinkState.Evolve(state, e);

    protected override string StreamId => StreamIds.Backlink(key.Tenant.Value, key.UrlHash);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        key = BacklinkKey.Parse(this.GetPrimaryKeyString());
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task<CollectOutcome> CollectAsync(CollectBacklink command)
    {
        if (!UrlNormalizer.TryNormalize(command.Url, out var url, out var rejection))
            return new CollectOutcome(CollectResult.Rejected, rejection.Detail);
        if (url.Sha256 != key.UrlHash)
            return new CollectOutcome(CollectResult.Rejected, $"'{url.Value}' does not hash to this backlink's key.");
        var wasNew = Current is BacklinkState.None;
        var decision = await DecideAsync(new BacklinkCommand.Collect(key.Tenant.Value, key.UrlHash, url.Value, url.Host, command, time.GetUtcNow()));
        if (decision.Rejection is { } r)
            return new CollectOutcome(CollectResult.Rejected, r.Message);
        if (wasNew)
        {
            DriveSoon();
            return new CollectOutcome(CollectResult.Collected);
        }
        return new CollectOutcome(decision.Events.Count == 0 ? CollectResult.Duplicate : CollectResult.JoinedCampaign);
    }

    public Task<BacklinkView?> GetAsync() => Task.FromResult(BacklinkViews.ToView(Current, Version));

    public Task<CommandOutcome> RetryAsync() => CommandAsync(new BacklinkCommand.Retry(time.GetUtcNow()), drive: true);

    public Task<CommandOutcome> RetireAsync() => CommandAsync(new BacklinkCommand.Retire(time.GetUtcNow()), drive: true);

    public Task<CommandOutcome> CheckNowAsync() => CommandAsync(new BacklinkCommand.CheckNow(time.GetUtcNow()), drive: true);

    public async Task<CommandOutcome> RecordSubmissionAsync(SubmissionReport report)
    {
        var recoveryLimit = 1;
        if (Current.FactsOrNull is { } facts
            && await grains.GetGrain<ICampaignGrain>($"{key.Tenant.Value}/{facts.Campaign}").GetAsync() is { } campaign)
            recoveryLimit = campaign.Settings.RecoveryLimit;
        // A deferred URL is still queued at its channel: nothing to drive until the channel answers again.
        return await CommandAsync(new BacklinkCommand.RecordSubmission(report, 1 + Math.Max(0, recoveryLimit), time.GetUtcNow()),
            drive: report.EffectiveOutcome != SubmissionOutcomes.Deferred);
    }

    public Task<CommandOutcome> RecordIndexCheckAsync(IndexCheckReport report) =>
        CommandAsync(new BacklinkCommand.RecordIndexCheck(report, time.GetUtcNow()), drive: true);

    public Task ReceiveReminder(string reminderName, TickStatus status) => DriveAsync();

    public async Task DriveAsync()
    {
        for (var step = 0; step < MaxStepsPerDrive; step++)
        {
            if (Current.FactsOrNull is not { Retired: false } facts || Current is BacklinkState.Failed)
            {
                await FollowUpAtAsync(null);
                return;
            }
            var campaign = grains.GetGrain<ICampaignGrain>($"{key.Tenant.Value}/{facts.Campaign}");
            var status = await campaign.GetStatusAsync();
            if (status is null or CampaignStatuses.Cancelled)
            {
                await FollowUpAtAsync(null); // nothing will ever be due again
                return;
            }
            if (status != CampaignStatuses.Active || await campaign.GetAsync() is not { } info)
                return; // paused: the sweeper skips it until the campaign resumes
            try
            {
                if (!await TakeStepAsync(Snapshot(facts, info.Settings)))
                    return;
            }
            catch (Exception e) when (e is not OrleansException)
            {
                LogStepFailed(logger, e, key.ToString(), Current.Name);
                await schedule.DeferAsync(key.Tenant.Value, key.UrlHash, time.GetUtcNow() + options.Value.PortErrorRetry, CancellationToken.None);
                return;
            }
        }
    }

    /// <summary>Takes the step the state calls for; true when the state moved on and another step may follow.</summary>
    private async Task<bool> TakeStepAsync(BacklinkSnapshot snapshot)
    {
        var now = time.GetUtcNow();
        switch (Current)
        {
            case BacklinkState.Collected { Channels: null }:
                return await routing.RouteAsync(snapshot, CancellationToken.None) is { } channels
                    ? await AdvancedAsync(new BacklinkCommand.RecordRoute(channels, time.GetUtcNow()))
                    : await WaitForPortAsync();
            case BacklinkState.Collected:
                return await validation.ValidateAsync(snapshot, CancellationToken.None) is { } verdict
                    ? await AdvancedAsync(new BacklinkCommand.RecordValidation(verdict, time.GetUtcNow()))
                    : await WaitForPortAsync();
            case BacklinkState.Validated { Facts.HoldUntil: { } hold } when hold > now:
                await schedule.DeferAsync(key.Tenant.Value, key.UrlHash, hold, CancellationToken.None);
                await FollowUpAtAsync(hold);
                return false;
            case BacklinkState.Validated:
                if (await submission.EnqueueAsync(snapshot, CancellationToken.None) is not { } lookAgainAt)
                    return await WaitForPortAsync();
                await schedule.DeferAsync(key.Tenant.Value, key.UrlHash, lookAgainAt, CancellationToken.None);
                await FollowUpAtAsync(lookAgainAt);
                return false;
            case BacklinkState.Submitted { NextCheckAt: { } due } when due <= now:
            case BacklinkState.Indexed { NextCheckAt: { } dueIndexed } when dueIndexed <= now:
                return await indexCheck.CheckAsync(snapshot, CancellationToken.None) is { } report
                    ? await AdvancedAsync(new BacklinkCommand.RecordIndexCheck(report, time.GetUtcNow()))
                    : await WaitForPortAsync();
            case BacklinkState.Submitted s:
                await FollowUpAtAsync(s.NextCheckAt);
                return false;
            case BacklinkState.Indexed s:
                await FollowUpAtAsync(s.NextCheckAt);
                return false;
            default:
                return false;
        }
    }

    private async Task<bool> AdvancedAsync(BacklinkCommand command) => !(await DecideAsync(command)).IsRejected;

    private async Task<bool> WaitForPortAsync()
    {
        await schedule.DeferAsync(key.Tenant.Value, key.UrlHash, time.GetUtcNow() + options.Value.UnboundPortRetry, CancellationToken.None);
        return false;
    }

    /// <summary>Long waits get the followup reminder; short ones are the sweeper's; none removes it.</summary>
    private async Task FollowUpAtAsync(DateTimeOffset? at)
    {
        var wait = at - time.GetUtcNow();
        if (wait is { } w && w >= options.Value.ReminderThreshold)
        {
            var period = TimeSpan.FromTicks(Math.Max(reminderOptions.Value.MinimumReminderPeriod.Ticks, w.Ticks));
            await this.RegisterOrUpdateReminder(FollowupReminder, w, period);
        }
        else if (await this.GetReminder(FollowupReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task<CommandOutcome> CommandAsync(BacklinkCommand command, bool drive)
    {
        var decision = await DecideAsync(command);
        if (decision.Rejection is { } r)
            return new CommandOutcome(false, r.Code, r.Message, BacklinkViews.ToView(Current, Version));
        if (drive)
            DriveSoon();
        return new CommandOutcome(true, null, null, BacklinkViews.ToView(Current, Version));
    }

    private async Task<Decision> DecideAsync(BacklinkCommand command)
    {
        var decision = BacklinkDecider.Decide(Current, command, Guid.NewGuid);
        if (!decision.IsRejected && decision.Events.Count > 0)
        {
            RaiseEvents(decision.Events);
            await ConfirmEvents();
        }
        return decision;
    }

    /// <summary>Continues the lifecycle in a turn of its own, so the caller (an import, a user) is answered first.</summary>
    private void DriveSoon() => _ = this.AsReference<IBacklinkGrain>().ContinueAsync();

    public Task ContinueAsync() => DriveAsync();

    private BacklinkSnapshot Snapshot(BacklinkFacts facts, CampaignSettings campaign) => new(
        facts.Tenant, facts.UrlHash, facts.Url, facts.Host, facts.Campaign, campaign,
        Current switch
        {
            BacklinkState.Collected s => s.Channels,
            BacklinkState.Validated s => s.Channels,
            BacklinkState.Submitted s => s.Channels,
            _ => null,
        },
        facts.TargetUrl, facts.Priority);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlink {Backlink} could not take its {State} step; retrying later")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string backlink, string state);
}
