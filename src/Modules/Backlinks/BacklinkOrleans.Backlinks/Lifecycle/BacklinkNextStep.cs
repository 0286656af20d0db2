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
        if (state.FactsOrNull is not { Retired: false } facts || state is BacklinkState.Failed)
            return NextStep.Nothing;
        var step = state switch
        {
            BacklinkState.Collected { Targets: null } => new NextStep(BacklinkSteps.Route, facts.UpdatedAt),
            BacklinkState.Collected => new NextStep(BacklinkSteps.Validate, facts.UpdatedAt),
            BacklinkState.Validated { Facts.HoldUntil: { } hold } v when hold > now =>
                new NextStep(BacklinkSteps.Submit, hold, v.Targets.FirstOrDefault(), $"a send whose outcome is unknown: not before {hold:u}"),
            BacklinkState.Validated { Queued: { } queued } v =>
                new NextStep(BacklinkSteps.Submit, queued.LookAgainAt, v.Targets.FirstOrDefault(t => t.Channel == queued.Channel) ?? v.Targets.FirstOrDefault(), queued.Detail),
            BacklinkState.Validated v => new NextStep(BacklinkSteps.Submit, facts.UpdatedAt, v.Targets.FirstOrDefault()),
            BacklinkState.Submitted { NextCheckAt: { } due } => new NextStep(BacklinkSteps.Check, due, null, "the next index check"),
            BacklinkState.Indexed { NextCheckAt: { } due } => new NextStep(BacklinkSteps.Check, due, null, "the next index check"),
            _ => NextStep.Nothing,
        };
        // A step that could not be taken waits until its wait ends (the next change of state ends the wait).
        return facts.Waiting is { } wait && step.Step is not null && (step.DueAt is null || wait.Until > step.DueAt)
            ? step with { DueAt = wait.Until, WaitingFor = wait.Reason }
            : step;
    }
}
