using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>What a backlink does next, and from when: a step to take (now, or at <see cref="DueAt"/>), or nothing.</summary>
internal sealed record NextStep(string? Step, DateTimeOffset? DueAt, RouteTarget? Target = null, string? WaitingFor = null)
{
    public static readonly NextStep Nothing = new(null, null);

    public bool IsDue(DateTimeOffset now) => Step is not null && DueAt <= now;
}

/// <summary>
/// The backlink's schedule as a pure function of its state: the grain carries out what it says when it is due, and
/// whatever wakes the grain (a scheduler shard, a self call, an answer) asks it again. The read model's
/// <c>next_action_at</c> is the same instant, set by the inline projection from the events (<see cref="ReadModels.BacklinkRow"/>).
/// </summary>
internal static class BacklinkNextStep
{
    public static NextStep Of(BacklinkState state, DateTimeOffset now)
    {
        if (state.FactsOrNull is { Retired: true } retired)
            return WithdrawalDue(state) is { } channel ? Waited(retired, WithdrawStep(state, retired, channel)) : NextStep.Nothing;
        if (state.FactsOrNull is not { } facts || state is BacklinkState.Failed)
            return NextStep.Nothing;
        var step = state switch
        {
            BacklinkState.Collected { Targets: null } => new NextStep(BacklinkSteps.Route, facts.UpdatedAt),
            BacklinkState.Collected => new NextStep(BacklinkSteps.Validate, facts.UpdatedAt),
            BacklinkState.Validated { PreCheckDue: true } => new NextStep(BacklinkSteps.Check, facts.UpdatedAt, null, "the index check before submission"),
            BacklinkState.Validated { Facts.HoldUntil: { } hold } v when hold > now =>
                new NextStep(BacklinkSteps.Submit, hold, v.Targets.FirstOrDefault(), HeldBy(v.Targets.FirstOrDefault()?.Channel, hold)),
            BacklinkState.Validated { Queued: { } queued } v =>
                new NextStep(BacklinkSteps.Submit, queued.LookAgainAt, v.Targets.FirstOrDefault(t => t.Channel == queued.Channel) ?? v.Targets.FirstOrDefault(), queued.Detail),
            BacklinkState.Validated v => new NextStep(BacklinkSteps.Submit, facts.UpdatedAt, v.Targets.FirstOrDefault()),
            BacklinkState.Submitted { NextCheckAt: { } due } => new NextStep(BacklinkSteps.Check, due, null, "the next index check"),
            BacklinkState.Indexed { NextCheckAt: { } due } => new NextStep(BacklinkSteps.Check, due, null, "the next index check"),
            _ => NextStep.Nothing,
        };
        return Waited(facts, step);
    }

    /// <summary>What a URL held after a send that may have been received waits for (the grain's answer and the read model say the same).</summary>
    public static string HeldBy(string? channel, DateTimeOffset hold) => $"{channel ?? "the channel"} may not take it again before {hold:u}";

    /// <summary>A step that could not be taken waits until its wait ends (the next change of state ends the wait).</summary>
    private static NextStep Waited(BacklinkFacts facts, NextStep step) =>
        facts.Waiting is { } wait && step.Step is not null && (step.DueAt is null || wait.Until > step.DueAt)
            ? step with { DueAt = wait.Until, WaitingFor = wait.Reason }
            : step;

    /// <summary>
    /// The channel a retired URL is still to be withdrawn from: the one that accepted it, when that channel withdraws
    /// (its answer said so) and the withdrawal was not queued yet; null otherwise.
    /// </summary>
    /// <param name="retiring">as it will be once retired (the decision to retire it names the channel in its event)</param>
    public static string? WithdrawalDue(BacklinkState state, bool retiring = false) => state switch
    {
        BacklinkState.Submitted { Withdrawable: true } s when (retiring || s.Facts.Retired) && s.Facts.Withdrawn?.Contains(s.Channel) != true => s.Channel,
        BacklinkState.Indexed { Withdrawable: true } s when (retiring || s.Facts.Retired) && s.Facts.Withdrawn?.Contains(s.Channel) != true => s.Channel,
        _ => null,
    };

    private static NextStep WithdrawStep(BacklinkState state, BacklinkFacts facts, string channel) =>
        new(BacklinkSteps.Withdraw, facts.UpdatedAt,
            (state as BacklinkState.Submitted)?.Targets.FirstOrDefault(t => t.Channel == channel) ?? RouteTarget.ForChannel(channel),
            $"the withdrawal of the retired URL from {channel}");
}
