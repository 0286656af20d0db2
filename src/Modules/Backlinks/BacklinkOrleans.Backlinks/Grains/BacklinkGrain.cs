using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// One backlink's lifecycle: decisions by <see cref="BacklinkDecider"/>, the schedule by <see cref="BacklinkNextStep"/>,
/// events in the stream <c>backlink/{tenant}/{sha256}</c>. The grain only carries out the next step when it is due,
/// whoever wakes it: the fast path's one-way self calls (collected → routed → validated → queued, appended at once),
/// a scheduler shard (ADR 0016), or a channel's answer. A backlink whose next step is far away deactivates.
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
    ILinkCheckPort linkCheck,
    IOptions<BacklinkOptions> options,
    ILogger<BacklinkGrain> logger)
    : EventSourcedGrain<BacklinkState, IBacklinkEvent>(store, registry), IBacklinkGrain
{
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
        while (true)
        {
            var wasNew = Current is BacklinkState.None;
            var decision = BacklinkDecider.Decide(Current, new BacklinkCommand.Collect(key.Tenant.Value, key.UrlHash, url.Value, url.Host, command, time.GetUtcNow()), Guid.CreateVersion7);
            if (decision.Rejection is { } r)
                return new CollectOutcome(CollectResult.Rejected, r.Message);
            if (!await AppendAsync(decision.Events))
                continue; // collected meanwhile by another activation: decide again on what is stored
            if (wasNew)
            {
                DriveSoon();
                return new CollectOutcome(CollectResult.Collected);
            }
            return new CollectOutcome(decision.Events.Count == 0 ? CollectResult.Duplicate : CollectResult.JoinedCampaign);
        }
    }

    public Task<BacklinkView?> GetAsync() => Task.FromResult(BacklinkViews.ToView(Current, Version, time.GetUtcNow()));

    public Task<CommandOutcome> RetryAsync() => CommandAsync(now => new BacklinkCommand.Retry(now));

    public Task<CommandOutcome> RetireAsync() => CommandAsync(now => new BacklinkCommand.Retire(now));

    public Task<CommandOutcome> CheckNowAsync() => CommandAsync(now => new BacklinkCommand.CheckNow(now));

    public async Task<CommandOutcome> RecordSubmissionAsync(SubmissionReport report)
    {
        var recoveryLimit = 1;
        if (Current.FactsOrNull is { } facts && await Campaign(facts).GetAsync() is { } campaign)
            recoveryLimit = campaign.Settings.RecoveryLimit;
        return await CommandAsync(now => new BacklinkCommand.RecordSubmission(report, 1 + Math.Max(0, recoveryLimit), now), driveNow: true);
    }

    public async Task<CommandOutcome> RecordIndexCheckAsync(IndexCheckReport report)
    {
        var settings = Current.FactsOrNull is { } facts && await Campaign(facts).GetAsync() is { } campaign ? campaign.Settings : null;
        var plan = settings is null ? new CheckPlan([], CampaignSettings.DefaultMonitorEvery, TimeSpan.Zero, 0) : CheckPlan.Of(settings);
        return await CommandAsync(now => new BacklinkCommand.RecordIndexCheck(report, plan, now), driveNow: true);
    }

    public Task ContinueAsync() => DriveAsync();

    public async Task WakeAsync(long minimumVersion)
    {
        if (Version < minimumVersion)
            await ReloadAsync();
        await DriveAsync();
    }

    /// <summary>Takes the steps that are due now, as far as the bound ports allow, and appends their events at once.</summary>
    public async Task DriveAsync()
    {
        var state = Current;
        var pending = new List<IBacklinkEvent>();
        CampaignInfo? campaign = null;
        for (var steps = 0; steps < MaxStepsPerDrive; steps++)
        {
            var now = time.GetUtcNow();
            var next = BacklinkNextStep.Of(state, now);
            if (!next.IsDue(now) && next.Step == BacklinkSteps.Submit && state.FactsOrNull is { Waiting.Gate: { } gate } waiting)
            {
                // A slot of a drip-feed planned again since: the old plan's wait is over, a slot of the new one is asked for.
                campaign ??= await Campaign(waiting).GetAsync();
                if (campaign is not null && gate != DripRelease.GateOf(campaign.DripPlan))
                    next = next with { DueAt = now };
            }
            if (!next.IsDue(now) || state.FactsOrNull is not { } facts)
                break;
            campaign ??= await Campaign(facts).GetAsync();
            if (campaign is not { Status: CampaignStatuses.Active })
                break; // paused or cancelled: the shards pass it over until the campaign resumes
            var events = await TakeStepAsync(next, state, Snapshot(state, facts, campaign.Settings), campaign.DripPlan, now);
            if (events.Count == 0)
                break;
            foreach (var e in events)
                state = Evolve(state, e);
            pending.AddRange(events);
        }
        if (pending.Count > 0 && !await AppendAsync(pending))
        {
            DriveSoon(); // another activation moved the stream: decide again on what it holds
            return;
        }
        DeactivateWhenIdle();
    }

    /// <summary>Carries out one due step; returns its events (none when the decider refused, which ends the drive).</summary>
    private async Task<IReadOnlyList<IBacklinkEvent>> TakeStepAsync(NextStep next, BacklinkState state, BacklinkSnapshot snapshot, int dripPlan, DateTimeOffset now)
    {
        BacklinkCommand command;
        try
        {
            // At a follow-up, the page is looked at for its link to the target first (link-rot), then the index is checked.
            if (next.Step == BacklinkSteps.Check && LinkRot.Due(state)
                && await linkCheck.CheckLinkAsync(snapshot, CancellationToken.None) is { } observation)
                return Decided(state, new BacklinkCommand.RecordLinkCheck(observation, time.GetUtcNow()));
            command = next.Step switch
            {
                BacklinkSteps.Route => await routing.RouteAsync(snapshot, CancellationToken.None) is { } route
                    ? new BacklinkCommand.RecordRoute(route, time.GetUtcNow(), snapshot.Campaign.PreCheck)
                    : Unbound(BacklinkSteps.Route, "routing is not installed", now),
                BacklinkSteps.Validate => await validation.ValidateAsync(snapshot, CancellationToken.None) is { } verdict
                    ? new BacklinkCommand.RecordValidation(verdict, time.GetUtcNow())
                    : Unbound(BacklinkSteps.Validate, "validation is not installed", now),
                BacklinkSteps.Submit when next.Target is { } target && await DripAsync(state, snapshot, dripPlan, now) is { Go: false } drip =>
                    new BacklinkCommand.RecordWait(BacklinkSteps.Submit, drip.Reason!, drip.Until, time.GetUtcNow(), drip.Gate),
                BacklinkSteps.Submit when next.Target is { } target => await submission.EnqueueAsync(snapshot, target, CancellationToken.None) is { } queued
                    ? new BacklinkCommand.RecordQueued(target, queued, time.GetUtcNow())
                    : Unbound(BacklinkSteps.Submit, $"no channel of this build sends to {target.Channel}", now),
                BacklinkSteps.Withdraw when next.Target is { } withdrawn => await submission.WithdrawAsync(snapshot, withdrawn, CancellationToken.None) is { } queued
                    ? new BacklinkCommand.RecordWithdrawalQueued(withdrawn.Channel, queued, time.GetUtcNow())
                    : Unbound(BacklinkSteps.Withdraw, $"no channel of this build withdraws from {withdrawn.Channel}", now),
                BacklinkSteps.Check => await indexCheck.EnqueueCheckAsync(snapshot, CancellationToken.None) switch
                {
                    { Uncovered: true } uncovered => new BacklinkCommand.RecordCheckUncovered(uncovered.Detail, uncovered.LookAgainAt,
                        snapshot.Campaign.MonitoringHorizon, time.GetUtcNow()),
                    { } checking => new BacklinkCommand.RecordWait(BacklinkSteps.Check, checking.Detail, checking.LookAgainAt, time.GetUtcNow()),
                    null => Unbound(BacklinkSteps.Check, "no index checker is installed", now),
                },
                _ => new BacklinkCommand.RecordWait(next.Step ?? "none", "nothing to do", now + options.Value.PortErrorRetry, now),
            };
        }
        catch (Exception e) when (e is not OrleansException)
        {
            LogStepFailed(logger, e, key.ToString(), next.Step ?? "none");
            command = new BacklinkCommand.RecordWait(next.Step!, $"the {next.Step} step failed ({e.GetType().Name}: {e.Message}); it is tried again",
                now + options.Value.PortErrorRetry, now);
        }
        return Decided(state, command);
    }

    /// <summary>
    /// A campaign with a drip-feed releases its backlinks one slot at a time: before a validated backlink is first
    /// handed to a channel it asks the campaign's drip grain, and goes once its slot (the gate of its wait) has come.
    /// </summary>
    private async Task<DripRelease> DripAsync(BacklinkState state, BacklinkSnapshot snapshot, int plan, DateTimeOffset now)
    {
        if (snapshot.Campaign.DripDays is null || state is not BacklinkState.Validated { Queued: null } validated)
            return DripRelease.Now;
        var gate = validated.Facts.Waiting is { Step: BacklinkSteps.Submit, Gate: { } g } wait && wait.Until <= now ? g : null;
        return await grains.Reference<IDripGrain>($"{snapshot.Tenant}/{snapshot.CampaignId}").ReleaseAsync(gate, plan);
    }

    private static IReadOnlyList<IBacklinkEvent> Decided(BacklinkState state, BacklinkCommand command)
    {
        var decision = BacklinkDecider.Decide(state, command, Guid.CreateVersion7);
        return decision.IsRejected ? [] : decision.Events;
    }

    private BacklinkCommand.RecordWait Unbound(string step, string why, DateTimeOffset now) =>
        new(step, $"{why}; looking again at {now + options.Value.UnboundPortRetry:u}", now + options.Value.UnboundPortRetry, now);

    /// <summary>A backlink with nothing due for a while gives its memory back; its stream and row are its state.</summary>
    private void DeactivateWhenIdle()
    {
        var now = time.GetUtcNow();
        var next = BacklinkNextStep.Of(Current, now);
        if (next.Step is null || next.DueAt > now + options.Value.IdleAfter)
            DeactivateOnIdle();
    }

    private async Task<CommandOutcome> CommandAsync(Func<DateTimeOffset, BacklinkCommand> command, bool driveNow = false)
    {
        while (true)
        {
            var decision = BacklinkDecider.Decide(Current, command(time.GetUtcNow()), Guid.CreateVersion7);
            if (decision.Rejection is { } r)
                return new CommandOutcome(false, r.Code, r.Message, BacklinkViews.ToView(Current, Version, time.GetUtcNow()));
            if (!await AppendAsync(decision.Events))
                continue; // decided on a stale state: decide again on what is stored
            if (driveNow)
                await DriveAsync();
            else if (decision.Events.Count > 0)
                DriveSoon();
            return new CommandOutcome(true, null, null, BacklinkViews.ToView(Current, Version, time.GetUtcNow()));
        }
    }

    /// <summary>Continues the lifecycle in a turn of its own, so the caller (an import, a user) is answered first.</summary>
    private void DriveSoon() => this.AsReference<IBacklinkGrain>().ContinueAsync().Ignore();

    private ICampaignGrain Campaign(BacklinkFacts facts) => grains.Reference<ICampaignGrain>($"{key.Tenant.Value}/{facts.Campaign}");

    private static BacklinkSnapshot Snapshot(BacklinkState state, BacklinkFacts facts, CampaignSettings campaign) => new(
        facts.Tenant, facts.UrlHash, facts.Url, facts.Host, facts.Campaign, campaign,
        state switch
        {
            BacklinkState.Collected s => s.Targets,
            BacklinkState.Validated s => s.Targets,
            BacklinkState.Submitted s => s.Targets,
            BacklinkState.Indexed s => s.Targets,
            _ => null,
        },
        facts.TargetUrl, facts.Priority, facts.Checkers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlink {Backlink} could not take its {Step} step; it waits and tries again")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string backlink, string step);
}
