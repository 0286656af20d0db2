using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>A request to change a backlink. Every command carries the time it is decided at.</summary>
internal abstract record BacklinkCommand(DateTimeOffset Now)
{
    public sealed record Collect(string Tenant, string UrlHash, string Url, string Host, CollectBacklink Request, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <param name="PreCheck">the campaign checks the index before submitting</param>
    public sealed record RecordRoute(RouteResult Route, DateTimeOffset Now, bool PreCheck = false) : BacklinkCommand(Now);

    /// <summary>A validation verdict, or (with <see cref="ValidationVerdict.RetryAt"/>) that it must be tried again later.</summary>
    public sealed record RecordValidation(ValidationVerdict Verdict, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>A quota grain took the URL for <paramref name="Target"/>.</summary>
    public sealed record RecordQueued(RouteTarget Target, Enqueued Answer, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>
    /// The step <paramref name="Step"/> cannot be taken now (<paramref name="Reason"/>); try again at <paramref name="Until"/>
    /// (<paramref name="Gate"/>: what the wait is for — a drip-feed slot — when the step goes through once it ends).
    /// </summary>
    public sealed record RecordWait(string Step, string Reason, DateTimeOffset Until, DateTimeOffset Now, string? Gate = null) : BacklinkCommand(Now);

    /// <param name="SendLimit">How many sends (accepted or outcome unknown) the URL may have in all: 1 + the campaign's recovery limit.</param>
    public sealed record RecordSubmission(SubmissionReport Report, int SendLimit, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>An index-status provider's answer; <paramref name="Plan"/>: the governing campaign's schedule and recovery limit.</summary>
    public sealed record RecordIndexCheck(IndexCheckReport Report, CheckPlan Plan, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>
    /// No index-status provider covers the URL now (<paramref name="Detail"/>); ask again at <paramref name="RetryAt"/>,
    /// while the campaign's monitoring horizon (<paramref name="Horizon"/>, from the first acceptance) lasts.
    /// </summary>
    public sealed record RecordCheckUncovered(string Detail, DateTimeOffset RetryAt, TimeSpan Horizon, DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>What the page showed of its link to the campaign's target at a follow-up.</summary>
    public sealed record RecordLinkCheck(LinkObservation Observation, DateTimeOffset Now) : BacklinkCommand(Now);

    public sealed record Retry(DateTimeOffset Now) : BacklinkCommand(Now);

    public sealed record Retire(DateTimeOffset Now) : BacklinkCommand(Now);

    public sealed record CheckNow(DateTimeOffset Now) : BacklinkCommand(Now);

    /// <summary>A quota grain of <paramref name="Channel"/> took the retired URL to withdraw it.</summary>
    public sealed record RecordWithdrawalQueued(string Channel, Enqueued Answer, DateTimeOffset Now) : BacklinkCommand(Now);
}

/// <summary>Why a command was refused: a stable code and a sentence for people.</summary>
internal sealed record Rejection(string Code, string Message);

/// <summary>The decider's answer: the events to append (possibly none), or a rejection.</summary>
internal sealed record Decision(IReadOnlyList<IBacklinkEvent> Events, Rejection? Rejection)
{
    public static Decision Accept(params IBacklinkEvent[] events) => new(events, null);

    public static Decision Reject(string code, string message) => new([], new Rejection(code, message));

    public bool IsRejected => Rejection is not null;
}
