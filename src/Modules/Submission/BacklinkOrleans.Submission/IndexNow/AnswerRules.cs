using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>What an IndexNow answer means for the URLs of its request and for the key (protocols.md; ADR 0012).</summary>
internal static class AnswerRules
{
    public static SendOutcome Classify(IndexNowAnswer answer, int count)
    {
        var detail = Describe(answer);
        return answer.Status switch
        {
            200 => Outcome(Outcomes.Accepted, Pace.Success),
            202 => Outcome(Outcomes.Accepted, Pace.Pending) with { Detail = detail ?? "Received; the engine has not validated the key yet (202)." },
            0 when answer.MayHaveArrived => Outcome(Outcomes.Unknown, Pace.Failure),
            504 => Outcome(Outcomes.Unknown, Pace.Failure), // a gateway gave up waiting: the engine may have taken it
            // The whole request is refused for URLs it names: its halves are sent alone until the offending URLs stand alone.
            400 or 422 when count > 1 => Outcome(Outcomes.Split, Pace.None),
            413 => Outcome(Outcomes.Deferred, Pace.TooLarge),
            429 => Outcome(Outcomes.Deferred, Pace.TooMany),
            // Not received, or our endpoint is misconfigured (404/405): nothing about the URLs; try again later.
            0 or 404 or 405 or 408 or >= 500 => Outcome(Outcomes.Deferred, Pace.Failure),
            403 => Outcome(Outcomes.Refused, Pace.CredentialInvalid) with { Reason = FailureReasons.KeyInvalid, Detail = detail ?? "HTTP 403" },
            _ => Outcome(Outcomes.Refused, Pace.None) with { Reason = FailureReasons.ChannelRejected },
        };

        SendOutcome Outcome(string outcome, Pace pace) => new(answer.Status, outcome, null, detail, answer.DurationMs, pace, answer.RetryAfter);
    }

    /// <summary>The answer for people: the status and the body's excerpt; nothing for a plain acceptance.</summary>
    public static string? Describe(IndexNowAnswer answer) => answer.Status switch
    {
        0 => $"no answer: {answer.Excerpt}",
        200 or 202 when string.IsNullOrEmpty(answer.Excerpt) => null,
        _ when string.IsNullOrEmpty(answer.Excerpt) => $"HTTP {answer.Status}",
        _ => $"HTTP {answer.Status}: {answer.Excerpt}",
    };
}
