using BacklinkOrleans.Backlinks.Contracts;
using static BacklinkOrleans.Backlinks.Lifecycle.BacklinkState;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>
/// The backlink lifecycle as a pure function: <c>Decide(state, command) → events | rejection</c>. No I/O, no
/// clock (commands carry <c>Now</c>); event ids come from <paramref name="newId"/> so tests are deterministic.
/// </summary>
internal static class BacklinkDecider
{
    public static Decision Decide(BacklinkState state, BacklinkCommand command, Func<Guid> newId)
    {
        var facts = state.FactsOrNull;
        if (command is not BacklinkCommand.Collect && facts is null)
            return Decision.Reject("not-collected", "This URL was never collected.");
        if (facts is { Retired: true } && command is not BacklinkCommand.Collect)
            return DecideRetired(state, facts, command, newId);

        return (state, command) switch
        {
            (None, BacklinkCommand.Collect c) => Decision.Accept(new BacklinkCollected(newId(), c.Tenant, c.UrlHash, c.Url, c.Host,
                c.Request.CampaignId, c.Request.TargetUrl, c.Request.Anchor, c.Request.Note, c.Request.Priority, c.Now)),
            (_, BacklinkCommand.Collect c) => facts!.Campaigns.Contains(c.Request.CampaignId)
                ? Decision.Accept()
                : Decision.Accept(new BacklinkJoinedCampaign(newId(), c.Request.CampaignId, c.Now)),

            (Collected { Targets: null }, BacklinkCommand.RecordRoute { Route.Submit.Count: 0 } r) => Decision.Accept(
                Routed(r, newId),
                new BacklinkFailed(newId(), FailureReasons.NoChannel, "No credential of the tenant covers this host.", r.Now)),
            (Collected { Targets: null }, BacklinkCommand.RecordRoute r) => Decision.Accept(Routed(r, newId)),
            (_, BacklinkCommand.RecordRoute) => Decision.Reject("not-awaiting-route", $"A {state.Name} URL that is already routed is not routed again."),

            (Collected { Targets: not null }, BacklinkCommand.RecordValidation { Verdict.RetryAt: { } retryAt } v) =>
                Decision.Accept(new BacklinkWaiting(newId(), BacklinkSteps.Validate, v.Verdict.Detail ?? v.Verdict.Evidence, retryAt, v.Now)),
            (Collected { Targets: { } targets, Facts.HoldUntil: { } hold }, BacklinkCommand.RecordValidation { Verdict.Passed: true } v) when hold > v.Now =>
                Decision.Accept(new BacklinkValidated(newId(), v.Verdict.Evidence, v.Now), // held by an earlier send: its wait says so (and sets next_action_at)
                    new BacklinkWaiting(newId(), BacklinkSteps.Submit, BacklinkNextStep.HeldBy(targets.FirstOrDefault()?.Channel, hold), hold, v.Now)),
            (Collected { Targets: not null }, BacklinkCommand.RecordValidation { Verdict.Passed: true } v) =>
                Decision.Accept(new BacklinkValidated(newId(), v.Verdict.Evidence, v.Now)),
            (Collected { Targets: not null }, BacklinkCommand.RecordValidation v) =>
                Decision.Accept(new BacklinkFailed(newId(), v.Verdict.Reason ?? FailureReasons.InvalidUrl,
                    string.IsNullOrEmpty(v.Verdict.Detail) ? v.Verdict.Evidence : v.Verdict.Detail, v.Now)),
            (_, BacklinkCommand.RecordValidation) => Decision.Reject("not-awaiting-validation", $"A {state.Name} URL is not awaiting validation."),

            (Validated s, BacklinkCommand.RecordQueued q) when s.Targets.Any(t => t.Channel == q.Target.Channel) =>
                Decision.Accept(new SubmissionQueued(newId(), q.Target.Channel, q.Target.QuotaKey, q.Answer.LookAgainAt, q.Answer.Detail, q.Now)),
            (_, BacklinkCommand.RecordQueued) => Decision.Reject("not-awaiting-submission", $"A {state.Name} URL is not awaiting submission."),

            (Failed, BacklinkCommand.RecordWait) => Decision.Reject("failed", "A failed URL takes no steps until it is retried."),
            (_, BacklinkCommand.RecordWait w) => Decision.Accept(new BacklinkWaiting(newId(), w.Step, w.Reason, w.Until, w.Now, w.Gate)),

            (_, BacklinkCommand.RecordSubmission s) when facts!.Recorded(s.Report.BatchId, s.Report.EffectiveOutcome) => Decision.Accept(),
            (Validated v, BacklinkCommand.RecordSubmission s) => DecideSubmission(v, s, newId),
            (Failed { Reason: FailureReasons.OutcomeUnknown }, BacklinkCommand.RecordSubmission { Report.EffectiveOutcome: SubmissionOutcomes.Accepted } s)
                when facts!.Recorded(s.Report.BatchId, SubmissionOutcomes.Unknown) =>
                Decision.Accept(Attempt(s, newId), SubmittedBy(s, newId)), // its real answer, after all
            (Collected, BacklinkCommand.RecordSubmission { Report.EffectiveOutcome: SubmissionOutcomes.Accepted } s) =>
                Decision.Accept(Attempt(s, newId), SubmittedBy(s, newId)), // handed over by a drive whose steps were lost with its silo: the channel has it
            (Collected c, BacklinkCommand.RecordSubmission { Report.EffectiveOutcome: SubmissionOutcomes.Unknown } s) => LastSend(c.Facts, s)
                ? Decision.Accept(Attempt(s, newId), OutcomeUnknown(c.Facts, s, newId)) // the same, and it was the last send it may have
                : Decision.Accept(Attempt(s, newId)), // the same, and the channel may have it: held once validated again
            (_, BacklinkCommand.RecordSubmission s) when s.Report.Status != 0 => Decision.Accept(Attempt(s, newId)), // recorded for the audit; the state stays
            (_, BacklinkCommand.RecordSubmission) => Decision.Reject("not-awaiting-submission", $"A {state.Name} URL is not awaiting submission."),

            (_, BacklinkCommand.RecordIndexCheck c) when facts!.Recorded(c.Report.CheckId, c.Report.Verdict) => Decision.Accept(),
            (Validated { PreCheckDue: true } v, BacklinkCommand.RecordIndexCheck c) => IndexChecks.PreCheck(v, c, newId),
            (Submitted s, BacklinkCommand.RecordIndexCheck c) => IndexChecks.FollowUp(s, c, newId),
            (Indexed i, BacklinkCommand.RecordIndexCheck c) => IndexChecks.Monitor(i, c, newId),
            (_, BacklinkCommand.RecordIndexCheck) => Decision.Reject("not-awaiting-check", $"A {state.Name} URL is not awaiting an index check."),
            (Validated { PreCheckDue: true }, BacklinkCommand.RecordCheckUncovered u) => Decision.Accept(new PreCheckSkipped(newId(), u.Detail, u.Now)),
            (Submitted or Indexed, BacklinkCommand.RecordCheckUncovered u) => IndexChecks.Uncovered(state, facts!, u, newId),
            (_, BacklinkCommand.RecordCheckUncovered) => Decision.Reject("not-awaiting-check", $"A {state.Name} URL is not awaiting an index check."),

            (Submitted or Indexed, BacklinkCommand.RecordLinkCheck l) when facts!.TargetUrl is { } target => LinkRot.Decide(facts, target, l, newId),
            (_, BacklinkCommand.RecordLinkCheck) => Decision.Reject("not-monitored", $"A {state.Name} URL's link is not checked."),

            (Failed, BacklinkCommand.Retry r) => Decision.Accept(new RetryRequested(newId(), r.Now)),
            (_, BacklinkCommand.Retry) => Decision.Reject("not-failed", $"Only a failed URL can be retried; this one is {state.Name}."),

            (_, BacklinkCommand.Retire r) => Decision.Accept(new BacklinkRetired(newId(), r.Now, BacklinkNextStep.WithdrawalDue(state, retiring: true))),

            (Submitted or Indexed, BacklinkCommand.CheckNow c) => Decision.Accept(new CheckRequested(newId(), c.Now)),
            (_, BacklinkCommand.CheckNow) => Decision.Reject("not-submitted", $"Only a submitted or indexed URL can be checked; this one is {state.Name}."),

            _ => Decision.Reject("unknown-command", $"{command.GetType().Name} is not a backlink command."),
        };
    }

    /// <summary>
    /// One event per attempt; then by outcome: accepted → submitted; refused → the channel is dropped, and with no
    /// covering channel left the URL fails with the channel's reason; unknown → held until the channel may be asked
    /// again, or failed with outcome-unknown once the URL has had all the sends it may have; deferred → it waits.
    /// (A report already recorded with that outcome — a redelivery, or two activations both declaring the same
    /// request unknown — changes nothing: see Decide.)
    /// </summary>
    private static Decision DecideSubmission(Validated state, BacklinkCommand.RecordSubmission s, Func<Guid> newId)
    {
        var r = s.Report;
        var outcome = r.EffectiveOutcome;
        var events = new List<IBacklinkEvent>();
        if (r.Status != 0 || outcome != SubmissionOutcomes.Refused)
            events.Add(Attempt(s, newId)); // a refusal without a request (a key already known invalid) is no attempt
        switch (outcome)
        {
            case SubmissionOutcomes.Accepted:
                events.Add(SubmittedBy(s, newId));
                break;
            case SubmissionOutcomes.Refused:
                var reason = r.FailureReason ?? FailureReasons.ChannelRejected;
                if (state.Targets.Any(t => t.Channel == r.Channel))
                    events.Add(new ChannelDropped(newId(), r.Channel, reason, r.ErrorExcerpt, s.Now));
                if (state.Targets.All(t => t.Channel == r.Channel))
                    events.Add(new BacklinkFailed(newId(), reason, r.ErrorExcerpt, s.Now));
                break;
            case SubmissionOutcomes.Unknown when LastSend(state.Facts, s):
                events.Add(OutcomeUnknown(state.Facts, s, newId));
                break;
        }
        return Decision.Accept([.. events]);
    }

    private static BacklinkRouted Routed(BacklinkCommand.RecordRoute r, Func<Guid> newId) =>
        new(newId(), [.. r.Route.Submit.Select(t => t.Channel)], r.Now, [.. r.Route.Submit], [.. r.Route.Check], r.PreCheck);

    /// <summary>The send this answer is about was the last the URL may have (its campaign's recovery limit).</summary>
    private static bool LastSend(BacklinkFacts facts, BacklinkCommand.RecordSubmission s) => facts.Sends + 1 >= s.SendLimit;

    private static BacklinkFailed OutcomeUnknown(BacklinkFacts facts, BacklinkCommand.RecordSubmission s, Func<Guid> newId) =>
        new(newId(), FailureReasons.OutcomeUnknown,
            $"{s.Report.Channel} may or may not have received it ({facts.Sends + 1} of {s.SendLimit} sends used): {s.Report.ErrorExcerpt}", s.Now);

    private static BacklinkSubmitted SubmittedBy(BacklinkCommand.RecordSubmission s, Func<Guid> newId) =>
        new(newId(), s.Report.Channel, s.Report.NextCheckAt, s.Now, s.Report.Withdrawable);

    private static SubmissionAttempted Attempt(BacklinkCommand.RecordSubmission s, Func<Guid> newId)
    {
        var r = s.Report;
        var outcome = r.EffectiveOutcome;
        return new SubmissionAttempted(newId(), r.Channel, r.CredentialFingerprint, r.BatchId, r.Status, outcome == SubmissionOutcomes.Accepted,
            r.ErrorExcerpt, r.DurationMs, s.Now, outcome, outcome == SubmissionOutcomes.Unknown ? r.HoldUntil ?? s.Now.AddDays(1) : null, r.Withdrawal,
            outcome == SubmissionOutcomes.Accepted ? r.Cost : null);
    }

    /// <summary>
    /// A retired URL takes one more kind of step: the withdrawal from the channel that accepted it, where that channel
    /// withdraws (<see cref="BacklinkNextStep"/>) — queued, waiting, and the channel's answers recorded for the audit.
    /// </summary>
    private static Decision DecideRetired(BacklinkState state, BacklinkFacts facts, BacklinkCommand command, Func<Guid> newId) => command switch
    {
        BacklinkCommand.RecordWithdrawalQueued q when BacklinkNextStep.WithdrawalDue(state) is { } channel && channel == q.Channel =>
            Decision.Accept(new WithdrawalQueued(newId(), q.Channel, q.Answer.Detail, q.Now)),
        BacklinkCommand.RecordWait { Step: BacklinkSteps.Withdraw } w when BacklinkNextStep.WithdrawalDue(state) is not null =>
            Decision.Accept(new BacklinkWaiting(newId(), w.Step, w.Reason, w.Until, w.Now)),
        BacklinkCommand.RecordSubmission { Report.Withdrawal: true } s when facts.Recorded(s.Report.BatchId, s.Report.EffectiveOutcome) => Decision.Accept(),
        BacklinkCommand.RecordSubmission { Report.Withdrawal: true } s => Decision.Accept(Attempt(s, newId)),
        _ => Decision.Reject("retired", "This URL was retired; it takes no further steps."),
    };
}
