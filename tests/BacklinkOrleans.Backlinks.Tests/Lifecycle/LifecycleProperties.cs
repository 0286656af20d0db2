using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;
using BacklinkOrleans.Backlinks.ReadModels;
using FsCheck;
using FsCheck.Xunit;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

public sealed class LifecycleProperties
{
    private static readonly string[] Channels = ["indexnow", "google", "vendor"];

    /// <summary>Any event in any order: Orleans swallows exceptions from TransitionState, so Evolve must never throw.</summary>
    [Property(MaxTest = 400)]
    public bool Evolve_IsTotal_ForAnyEventSequence(int seed, NonNegativeInt length)
    {
        var random = new Random(seed);
        var state = (BacklinkState)BacklinkState.None.Instance;
        for (var i = 0; i < length.Get % 50; i++)
            state = BacklinkState.Evolve(state, RandomEvent(random, T0.AddMinutes(i)));
        return state.Name is "none" or "collected" or "validated" or "submitted" or "indexed" or "failed";
    }

    /// <summary>
    /// Any command sequence through the decider: the read-model row (what counters and the sweeper see) agrees with
    /// the aggregate's state after every step, and a rejection never changes anything.
    /// </summary>
    [Property(MaxTest = 300)]
    public void DecidedHistories_KeepTheReadModelRowInStepWithTheState(int seed, PositiveInt length)
    {
        var random = new Random(seed);
        var state = (BacklinkState)BacklinkState.None.Instance;
        BacklinkRow? row = null;
        long version = 0;
        for (var i = 0; i < length.Get % 40; i++)
        {
            var decision = BacklinkDecider.Decide(state, RandomCommand(random, T0.AddMinutes(i)), Guid.NewGuid);
            if (decision.IsRejected)
            {
                Assert.Empty(decision.Events);
                continue;
            }
            foreach (var e in decision.Events)
            {
                state = BacklinkState.Evolve(state, e);
                row = BacklinkRow.Apply(row, e, ++version, TimeSpan.FromMinutes(1));
            }
            if (row is null)
                continue;
            var facts = state.FactsOrNull!;
            Assert.Equal(state.Name, row.State);
            Assert.Equal((state as BacklinkState.Failed)?.Reason, row.Reason);
            Assert.Equal(facts.Retired, row.Retired);
            if (facts.Retired || state is BacklinkState.Failed)
                Assert.Null(row.NextActionAt);
            if (!facts.Retired && state is BacklinkState.Collected or BacklinkState.Validated)
                Assert.NotNull(row.NextActionAt); // the fast path is always due, so a crash cannot strand it
        }
    }

    private static IBacklinkEvent RandomEvent(Random random, DateTimeOffset at) => random.Next(14) switch
    {
        12 => new SubmissionQueued(Guid.NewGuid(), "indexnow", "example", at.AddHours(1), "queued", at),
        13 => new BacklinkWaiting(Guid.NewGuid(), "validate", "robots.txt unreadable", at.AddMinutes(30), at),
        0 => Collected($"c{random.Next(3)}") with { At = at },
        1 => new BacklinkJoinedCampaign(Guid.NewGuid(), $"c{random.Next(3)}", at),
        2 => new BacklinkRouted(Guid.NewGuid(), [.. Channels.Take(random.Next(4))], at),
        3 => new BacklinkValidated(Guid.NewGuid(), "ok", at),
        4 => new BacklinkFailed(Guid.NewGuid(), FailureReasons.HttpError, null, at),
        5 => new SubmissionAttempted(Guid.NewGuid(), "indexnow", "k", null, 429, false, null, 1, at),
        6 => new BacklinkSubmitted(Guid.NewGuid(), "indexnow", random.Next(2) == 0 ? null : at.AddHours(1), at),
        7 => new IndexChecked(Guid.NewGuid(), random.Next(2) == 0, "", random.Next(2) == 0 ? null : at.AddHours(1), at,
            IndexVerdicts.All[random.Next(IndexVerdicts.All.Count)], Stage: random.Next(2) == 0 ? CheckStages.PreCheck : CheckStages.FollowUp,
            FollowUpsDone: random.Next(4), MissedSince: random.Next(2) == 0 ? null : at.AddHours(-2)),
        8 => new BacklinkIndexed(Guid.NewGuid(), at.AddDays(1), at),
        9 => new RetryRequested(Guid.NewGuid(), at),
        10 => new BacklinkRetired(Guid.NewGuid(), at),
        _ => random.Next(3) switch
        {
            0 => new RecoveryStarted(Guid.NewGuid(), FailureReasons.NotIndexed, Channels[random.Next(Channels.Length)], "", random.Next(2) == 0 ? null : at.AddDays(1), at),
            1 => new PreCheckSkipped(Guid.NewGuid(), "no index checker covers this URL", at),
            _ => new CheckRequested(Guid.NewGuid(), at),
        },
    };

    private static BacklinkCommand RandomCommand(Random random, DateTimeOffset now) => random.Next(11) switch
    {
        9 => new BacklinkCommand.RecordQueued(RouteTarget.ForChannel(Channels[random.Next(Channels.Length)]), new Enqueued(now.AddHours(1), "queued"), now),
        10 => new BacklinkCommand.RecordWait("validate", "robots.txt unreadable", now.AddMinutes(30), now),
        0 => Collect($"c{random.Next(3)}") with { Now = now },
        1 => new BacklinkCommand.RecordRoute(Route([.. Channels.Take(random.Next(4))]), now),
        2 => new BacklinkCommand.RecordValidation(random.Next(3) == 0
            ? new ValidationVerdict(false, FailureReasons.Noindex, "noindex", "meta") : new ValidationVerdict(true, null, null, "ok"), now),
        3 => new BacklinkCommand.RecordSubmission(new SubmissionReport("indexnow", "k", null, random.Next(2) == 0 ? 200 : 429,
            random.Next(2) == 0, null, 5, now.AddHours(1), random.Next(4) == 0 ? FailureReasons.KeyInvalid : null,
            random.Next(5) == 0 ? SubmissionOutcomes.Unknown : null, random.Next(2) == 0 ? now.AddDays(1) : null), 1 + random.Next(3), now),
        4 => random.Next(4) == 0
            ? new BacklinkCommand.RecordCheckUncovered("no index checker covers this URL", now.AddDays(1), TimeSpan.FromDays(random.Next(3) * 90), now)
            : new BacklinkCommand.RecordIndexCheck(new IndexCheckReport("serp", "k", $"c{random.Next(5)}", IndexVerdicts.All[random.Next(IndexVerdicts.All.Count)],
                random.Next(2) == 0 ? FailureReasons.Noindex : null, "evidence"),
                new CheckPlan(new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(24) }[..random.Next(3)], TimeSpan.FromDays(30), TimeSpan.FromDays(random.Next(3) * 90), random.Next(3)), now),
        5 => new BacklinkCommand.Retry(now),
        6 => new BacklinkCommand.Retire(now),
        7 => new BacklinkCommand.CheckNow(now),
        _ => Collect("c1") with { Now = now },
    };
}
