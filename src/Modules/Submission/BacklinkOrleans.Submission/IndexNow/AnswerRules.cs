using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>What an IndexNow answer means for the URLs of its request (protocols.md; ADR 0012).</summary>
internal static class AnswerRules
{
    public static (string Outcome, string? Reason) Classify(IndexNowAnswer answer, int count) => answer.Status switch
    {
        200 or 202 => (SubmissionOutcomes.Accepted, null),
        0 when answer.MayHaveArrived => (SubmissionOutcomes.Unknown, null),
        504 => (SubmissionOutcomes.Unknown, null), // a gateway gave up waiting: the engine may have taken it
        400 or 422 when count > 1 => (SubmissionOutcomes.Deferred, null), // bisected: the offending URLs are found and refused alone
        // Not received, too large, or our endpoint is misconfigured (404/405): nothing about the URLs; try again later.
        0 or 404 or 405 or 408 or 413 or 429 or >= 500 => (SubmissionOutcomes.Deferred, null),
        403 => (SubmissionOutcomes.Refused, FailureReasons.KeyInvalid),
        _ => (SubmissionOutcomes.Refused, FailureReasons.ChannelRejected),
    };

    /// <summary>The answer for people: the status and the body's excerpt; nothing for a plain acceptance.</summary>
    public static string? Describe(IndexNowAnswer answer) => answer.Status switch
    {
        0 => $"no answer: {answer.Excerpt}",
        200 or 202 when string.IsNullOrEmpty(answer.Excerpt) => null,
        _ when string.IsNullOrEmpty(answer.Excerpt) => $"HTTP {answer.Status}",
        _ => $"HTTP {answer.Status}: {answer.Excerpt}",
    };
}
