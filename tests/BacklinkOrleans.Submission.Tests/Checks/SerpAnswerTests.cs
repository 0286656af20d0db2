using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Lane;
using BacklinkOrleans.Submission.Serp;
using static BacklinkOrleans.Submission.Serp.SerpChannel;

namespace BacklinkOrleans.Submission.Tests.Checks;

/// <summary>What the SERP checker makes of the API's answers, query by query (pure: no HTTP).</summary>
public sealed class SerpAnswerTests
{
    private static readonly LedgerItem Post = new("h1", "https://guest-blog.example/post?id=7", TimeSpan.Zero);
    private static readonly LedgerItem Other = new("h2", "https://guest-blog.example/other", TimeSpan.Zero);

    [Fact]
    public void TheQuery_IsASiteQueryOfTheUrlWithoutItsScheme() =>
        Assert.Equal("site:guest-blog.example/post?id=7", QueryFor(Post.Url));

    [Fact]
    public void TheExactNormalizedUrlAmongTheResults_IsIndexed_AtItsPosition_AndAnythingElseIsAMiss()
    {
        var outcome = Classify([Post, Other],
            [new QueryAnswer(200, ["https://guest-blog.example/post?id=70", "https://GUEST-BLOG.example:443/post?id=7"], null),
             new QueryAnswer(200, ["https://guest-blog.example/other-page"], null)], 40, 0.001m);

        Assert.Equal((Outcomes.Mixed, Pace.Success, 2, 0.002m), (outcome.Outcome, outcome.Pace, outcome.UnitsUsed, outcome.Cost));
        var (post, other) = (outcome.PerUrl!["h1"], outcome.PerUrl["h2"]);
        Assert.Equal((IndexVerdicts.Indexed, 0.001m), (post.Index, post.Cost));
        Assert.Contains("result 2 of 2", post.Detail);
        Assert.Equal(IndexVerdicts.Missed, other.Index); // one miss is not "not indexed": the lifecycle confirms it later
        Assert.Contains("not among the 1 result(s)", other.Detail);
    }

    [Fact]
    public void ARefusedKey_RefusesTheCredential_AndCostsNothing()
    {
        var outcome = Classify([Post], [new QueryAnswer(403, null, "Unauthorized.")], 5, 0.001m);
        Assert.Equal((Pace.CredentialInvalid, FailureReasons.KeyInvalid, 0), (outcome.Pace, outcome.Reason, outcome.UnitsUsed));
        Assert.Equal(Outcomes.Refused, outcome.PerUrl!["h1"].Outcome);
        Assert.Null(outcome.PerUrl["h1"].Index);
    }

    [Fact]
    public void TooManyRequests_BacksOff_AndServerErrorsPutTheUrlBack()
    {
        var outcome = Classify([Post, Other], [new QueryAnswer(429, null, "slow down", TimeSpan.FromSeconds(7)), new QueryAnswer(200, [], null)], 5, 0.001m);
        Assert.Equal((Pace.TooMany, TimeSpan.FromSeconds(7), 1), (outcome.Pace, outcome.RetryAfter, outcome.UnitsUsed));
        Assert.Equal(Outcomes.Deferred, outcome.PerUrl!["h1"].Outcome);

        var failed = Classify([Post], [new QueryAnswer(0, null, "connection reset")], 5, 0.001m);
        Assert.Equal((Pace.Failure, Outcomes.Deferred, 0), (failed.Pace, failed.PerUrl!["h1"].Outcome, failed.UnitsUsed));
    }
}
