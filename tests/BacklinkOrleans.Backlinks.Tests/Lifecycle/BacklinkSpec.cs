using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

/// <summary>Given(events) / When(command) / Then(events) for the backlink decider.</summary>
internal static class BacklinkSpec
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    public const string Hash = "4ab896fe0f545600fb779f1a46a199682b6e98dbbd55b902f273da30993616c6";

    public static BacklinkState Given(params IBacklinkEvent[] events) =>
        events.Aggregate((BacklinkState)BacklinkState.None.Instance, BacklinkState.Evolve);

    /// <summary>The read model's row after <paramref name="events"/> (versions 1..N, a one-minute fast-path grace), as the inline projection folds them.</summary>
    public static ReadModels.BacklinkRow? RowOf(params IBacklinkEvent[] events)
    {
        ReadModels.BacklinkRow? row = null;
        var version = 0L;
        foreach (var e in events)
            row = ReadModels.BacklinkRow.Apply(row, e, ++version, TimeSpan.FromMinutes(1));
        return row;
    }

    public static Decision When(BacklinkState state, BacklinkCommand command)
    {
        var n = 0;
        return BacklinkDecider.Decide(state, command, () => new Guid(++n, 0, 0, new byte[8]));
    }

    public static IReadOnlyList<Type> EventTypes(this Decision decision)
    {
        Assert.Null(decision.Rejection);
        return [.. decision.Events.Select(e => e.GetType())];
    }

    public static void IsRejected(this Decision decision, string code)
    {
        Assert.NotNull(decision.Rejection);
        Assert.Equal(code, decision.Rejection.Code);
        Assert.Empty(decision.Events);
    }

    // Events of a typical life, at increasing times.
    public static BacklinkCollected Collected(string campaign = "c1") =>
        new(Guid.NewGuid(), "acme", Hash, "https://guest-blog.example/post", "guest-blog.example", campaign, null, "anchor", null, 50, T0);

    /// <summary>A routing answer naming only channels (their credentials resolved by the port).</summary>
    public static RouteResult Route(params string[] channels) => new([.. channels.Select(RouteTarget.ForChannel)], []);

    public static BacklinkRouted Routed(params string[] channels) => new(Guid.NewGuid(), channels.Length == 0 ? ["indexnow"] : channels, T0.AddSeconds(1));

    /// <summary>Routed to IndexNow, with a SERP checker covering the URL; <paramref name="preCheck"/>: the campaign checks before it submits.</summary>
    public static BacklinkRouted RoutedWithChecker(bool preCheck) => new(Guid.NewGuid(), ["indexnow"], T0.AddSeconds(1),
        [RouteTarget.ForChannel("indexnow")], [new RouteTarget("serp", "cred-serp", "key:1234", "*")], preCheck);

    public static BacklinkValidated Validated() => new(Guid.NewGuid(), "200 OK, robots allow bingbot", T0.AddSeconds(2));

    public static BacklinkSubmitted Submitted() => new(Guid.NewGuid(), "indexnow", T0.AddHours(1), T0.AddSeconds(3));

    public static BacklinkIndexed Indexed() => new(Guid.NewGuid(), T0.AddDays(7), T0.AddHours(1));

    public static BacklinkFailed Failed(string reason = FailureReasons.HttpNotFound) => new(Guid.NewGuid(), reason, "404 Not Found", T0.AddSeconds(2));

    public static BacklinkRetired Retired() => new(Guid.NewGuid(), T0.AddMinutes(5));

    public static BacklinkCommand.Collect Collect(string campaign = "c1") =>
        new("acme", Hash, "https://guest-blog.example/post", "guest-blog.example", new CollectBacklink("https://guest-blog.example/post", campaign, null, null, null, 50), T0);
}
