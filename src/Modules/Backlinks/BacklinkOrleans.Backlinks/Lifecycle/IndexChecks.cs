using BacklinkOrleans.Backlinks.Contracts;
using static BacklinkOrleans.Backlinks.Lifecycle.BacklinkState;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>
/// What an index check's verdict means for a backlink, by the stage it is in (part of the decider, pure): before
/// submission an indexed URL is done without spending quota; after it, the campaign's follow-ups run, a miss counts
/// only when a second one confirms it an hour or more later, and a URL still not indexed at the last follow-up — or
/// one that dropped out of the index — is recovered through the next covering channel within the recovery limit, or
/// fails. A blocking cause the check saw fails the URL with that reason instead.
/// </summary>
internal static class IndexChecks
{
    public static Decision PreCheck(Validated state, BacklinkCommand.RecordIndexCheck c, Func<Guid> newId)
    {
        var r = c.Report;
        var check = Checked(c, newId, CheckStages.PreCheck, next: null, followUpsDone: 0, missedSince: null);
        return r.Verdict switch
        {
            IndexVerdicts.Indexed => Decision.Accept(check, new BacklinkIndexed(newId(), MonitorNext(state.Facts, c.Plan, c.Now), c.Now, AlreadyIndexed: true)),
            IndexVerdicts.Blocked => Decision.Accept(check, Blocked(c, newId)),
            _ => Decision.Accept(check), // not seen indexed: it is submitted
        };
    }

    public static Decision FollowUp(Submitted state, BacklinkCommand.RecordIndexCheck c, Func<Guid> newId)
    {
        var (r, plan, now) = (c.Report, c.Plan, c.Now);
        if (r.Unsolicited && r.Verdict is not (IndexVerdicts.Indexed or IndexVerdicts.Blocked))
            return Decision.Accept(Checked(c, newId, CheckStages.Report, state.NextCheckAt, state.FollowUpsDone, state.MissedSince)); // evidence only
        // A check a user asked for takes no follow-up's place: the schedule goes on as planned.
        var done = state.Requested || r.Unsolicited ? state.FollowUpsDone : Math.Min(state.FollowUpsDone + 1, plan.FollowUps.Count);
        var stage = r.Unsolicited ? CheckStages.Report : state.Requested ? CheckStages.Requested : CheckStages.FollowUp;
        switch (r.Verdict)
        {
            case IndexVerdicts.Indexed:
                var next = MonitorNext(state.Facts, plan, now);
                return Decision.Accept(
                    Checked(c, newId, stage, next, done, missedSince: null),
                    new BacklinkIndexed(newId(), next, now, TimeToIndex: now - (state.Facts.FirstAcceptedAt ?? state.SubmittedAt)));
            case IndexVerdicts.Blocked:
                return Decision.Accept(Checked(c, newId, stage, null, done, state.MissedSince), Blocked(c, newId));
            case IndexVerdicts.Unknown:
                return Decision.Accept(Checked(c, newId, stage, NextFollowUp(state, plan, done, now) ?? Retry(state.Facts, plan, now),
                    done, state.MissedSince));
            case IndexVerdicts.Missed when !Confirmed(state.MissedSince, now):
                // One miss proves nothing: the next follow-up (or, after the last, a check an hour on) confirms or refutes it.
                return Decision.Accept(Checked(c, newId, stage, NextFollowUp(state, plan, done, now) ?? now + CheckPlan.ConfirmAfter,
                    done, state.MissedSince ?? now));
            default: // not indexed, or a confirmed miss
                var missed = state.MissedSince ?? now;
                if (NextFollowUp(state, plan, done, now) is { } followUp)
                    return Decision.Accept(Checked(c, newId, stage, followUp, done, missed));
                return Recover(state.Facts, state.Targets, state.Channel, FailureReasons.NotIndexed,
                    $"Not indexed {plan.FollowUps.Count} follow-up(s) after its submission through {state.Channel}: {r.Evidence}",
                    Checked(c, newId, stage, null, done, missed), plan, now, newId);
        }
    }

    public static Decision Monitor(Indexed state, BacklinkCommand.RecordIndexCheck c, Func<Guid> newId)
    {
        var (r, plan, now) = (c.Report, c.Plan, c.Now);
        if (r.Unsolicited && r.Verdict != IndexVerdicts.Blocked)
            return Decision.Accept(Checked(c, newId, CheckStages.Report, state.NextCheckAt, 0, state.MissedSince)); // evidence only
        switch (r.Verdict)
        {
            case IndexVerdicts.Indexed:
                return Decision.Accept(Checked(c, newId, CheckStages.Monitor, MonitorNext(state.Facts, plan, now), 0, missedSince: null));
            case IndexVerdicts.Blocked:
                return Decision.Accept(Checked(c, newId, CheckStages.Monitor, null, 0, state.MissedSince), Blocked(c, newId));
            case IndexVerdicts.Unknown:
                return Decision.Accept(Checked(c, newId, CheckStages.Monitor, MonitorNext(state.Facts, plan, now), 0, state.MissedSince));
            default:
                if (!Confirmed(state.MissedSince, now)) // indexed → not indexed once: looked at again before it counts
                    return Decision.Accept(Checked(c, newId, CheckStages.Monitor, now + CheckPlan.ConfirmAfter, 0, state.MissedSince ?? now));
                return Recover(state.Facts, state.Targets ?? [], state.Channel, FailureReasons.DroppedOut,
                    $"Indexed at {state.IndexedAt:u}, not indexed at two checks since {state.MissedSince:u}: {r.Evidence}",
                    Checked(c, newId, CheckStages.Monitor, null, 0, state.MissedSince), plan, now, newId);
        }
    }

    /// <summary>
    /// No checker covers the URL: it waits, visibly, and asks again — until the campaign's monitoring horizon, when the
    /// checks end (a URL nobody can check is not woken forever).
    /// </summary>
    public static Decision Uncovered(BacklinkState state, BacklinkFacts facts, BacklinkCommand.RecordCheckUncovered u, Func<Guid> newId)
    {
        var horizon = (facts.FirstAcceptedAt ?? facts.CollectedAt) + u.Horizon;
        if (u.Now < horizon)
            return Decision.Accept(new BacklinkWaiting(newId(), BacklinkSteps.Check, u.Detail, u.RetryAt < horizon ? u.RetryAt : horizon, u.Now));
        var (stage, done, missed) = state is Submitted s ? (CheckStages.FollowUp, s.FollowUpsDone, s.MissedSince) : (CheckStages.Monitor, 0, (state as Indexed)?.MissedSince);
        return Decision.Accept(new IndexChecked(newId(), false, $"{u.Detail}; the monitoring horizon has passed: no more checks", null, u.Now,
            IndexVerdicts.Unknown, Stage: stage, FollowUpsDone: done, MissedSince: missed));
    }

    /// <summary>
    /// Re-submission through the next covering channel after <paramref name="current"/> (in the campaign's order, round
    /// and round), never the same channel within 24 h of its acceptance — while the URL has sends left; else it fails.
    /// </summary>
    private static Decision Recover(BacklinkFacts facts, IReadOnlyList<RouteTarget> targets, string current, string reason, string detail,
        IndexChecked check, CheckPlan plan, DateTimeOffset now, Func<Guid> newId)
    {
        if (facts.Sends >= plan.SendLimit)
            return Decision.Accept(check, new BacklinkFailed(newId(), reason,
                $"{detail} — no re-submission left ({facts.Sends} of {plan.SendLimit} sends used; recovery limit {plan.RecoveryLimit}).", now));
        var channels = targets.Select(t => t.Channel).Distinct().ToList();
        if (channels.Count == 0 && current.Length > 0)
            channels.Add(current);
        if (channels.Count == 0)
            return Decision.Accept(check, new BacklinkFailed(newId(), reason, $"{detail} — no channel covers it to submit it again.", now));
        var start = channels.IndexOf(current) + 1; // -1 + 1: from the first when it was indexed without a submission
        var order = Enumerable.Range(0, channels.Count).Select(i => channels[(start + i) % channels.Count]).ToList();
        var free = order.FirstOrDefault(c => facts.LastAcceptedBy(c) is not { } at || at + CheckPlan.ChannelRepeat <= now);
        var (channel, notBefore) = free is not null
            ? (free, (DateTimeOffset?)null)
            : order.Select(c => (Channel: c, At: facts.LastAcceptedBy(c)!.Value + CheckPlan.ChannelRepeat)).MinBy(x => x.At);
        return Decision.Accept(check, new RecoveryStarted(newId(), reason, channel,
            $"{detail} — submitted again through {channel} ({facts.Sends + 1} of {plan.SendLimit} sends)", notBefore, now));
    }

    /// <summary>The follow-up after <paramref name="done"/> of the schedule, counted from the submission (never in the past); null after the last.</summary>
    private static DateTimeOffset? NextFollowUp(Submitted state, CheckPlan plan, int done, DateTimeOffset now) =>
        done < plan.FollowUps.Count ? Max(state.SubmittedAt + plan.FollowUps[done], now) : null;

    /// <summary>The next slow check of an indexed URL, until the horizon (counted from its first acceptance, else its collection).</summary>
    private static DateTimeOffset? MonitorNext(BacklinkFacts facts, CheckPlan plan, DateTimeOffset now)
    {
        var horizon = (facts.FirstAcceptedAt ?? facts.CollectedAt) + plan.Horizon;
        return now >= horizon ? null : Min(now + plan.MonitorEvery, horizon);
    }

    /// <summary>After the last follow-up, when no check could tell: tried again while the horizon lasts.</summary>
    private static DateTimeOffset? Retry(BacklinkFacts facts, CheckPlan plan, DateTimeOffset now)
    {
        var horizon = (facts.FirstAcceptedAt ?? facts.CollectedAt) + plan.Horizon;
        return now >= horizon ? null : Min(now + CheckPlan.InconclusiveRetry, horizon);
    }

    private static bool Confirmed(DateTimeOffset? missedSince, DateTimeOffset now) => missedSince is { } first && now - first >= CheckPlan.ConfirmAfter;

    private static BacklinkFailed Blocked(BacklinkCommand.RecordIndexCheck c, Func<Guid> newId) =>
        new(newId(), c.Report.Reason ?? FailureReasons.NotIndexed, $"{c.Report.Checker}: {c.Report.Evidence}", c.Now);

    private static IndexChecked Checked(BacklinkCommand.RecordIndexCheck c, Func<Guid> newId, string stage, DateTimeOffset? next, int followUpsDone,
        DateTimeOffset? missedSince)
    {
        var r = c.Report;
        return new IndexChecked(newId(), r.Verdict == IndexVerdicts.Indexed, r.Evidence, next, c.Now, r.Verdict, r.Checker, r.CredentialFingerprint,
            r.CheckId, r.Reason, r.Cost, r.DurationMs, stage, followUpsDone, missedSince);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
