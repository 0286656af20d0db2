using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.IndexNow;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.IndexNow;

/// <summary>What each IndexNow answer means for the URLs of its request and for the key's pace (protocols.md; ADR 0012).</summary>
public sealed class AnswerRulesTests
{
    private static SendOutcome Classify(int status, bool mayHaveArrived = true, int count = 10, string? excerpt = null, TimeSpan? retryAfter = null) =>
        AnswerRules.Classify(new IndexNowAnswer(status, retryAfter, excerpt, mayHaveArrived, 1), count);

    [Theory]
    [InlineData(200, true, Outcomes.Accepted, nameof(Pace.Success), null)]
    [InlineData(202, true, Outcomes.Accepted, nameof(Pace.Pending), null)]
    [InlineData(0, true, Outcomes.Unknown, nameof(Pace.Failure), null)]      // timed out after sending: it may have arrived
    [InlineData(0, false, Outcomes.Deferred, nameof(Pace.Failure), null)]    // no connection: it certainly did not
    [InlineData(504, true, Outcomes.Unknown, nameof(Pace.Failure), null)]    // a gateway gave up waiting: the engine may have it
    [InlineData(503, true, Outcomes.Deferred, nameof(Pace.Failure), null)]
    [InlineData(500, true, Outcomes.Deferred, nameof(Pace.Failure), null)]
    [InlineData(404, true, Outcomes.Deferred, nameof(Pace.Failure), null)]   // our endpoint is wrong, not the URLs
    [InlineData(405, true, Outcomes.Deferred, nameof(Pace.Failure), null)]
    [InlineData(408, true, Outcomes.Deferred, nameof(Pace.Failure), null)]
    [InlineData(429, true, Outcomes.Deferred, nameof(Pace.TooMany), null)]
    [InlineData(413, true, Outcomes.Deferred, nameof(Pace.TooLarge), null)]
    [InlineData(400, true, Outcomes.Split, nameof(Pace.None), null)]         // refused for URLs it names: halves are sent alone
    [InlineData(422, true, Outcomes.Split, nameof(Pace.None), null)]
    [InlineData(403, true, Outcomes.Refused, nameof(Pace.CredentialInvalid), FailureReasons.KeyInvalid)]
    [InlineData(410, true, Outcomes.Refused, nameof(Pace.None), FailureReasons.ChannelRejected)]
    public void AnAnswer_MeansThisForABatchOfTen(int status, bool mayHaveArrived, string outcome, string pace, string? reason)
    {
        var classified = Classify(status, mayHaveArrived);
        Assert.Equal((status, outcome, pace, reason), (classified.Status, classified.Outcome, classified.Pace.ToString(), classified.Reason));
        Assert.Null(classified.UnitsUsed); // IndexNow spends one unit per URL taken: the lane counts them
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    public void ARefusalOfASingleUrl_RefusesThatUrl_InsteadOfSplittingIt(int status)
    {
        var classified = Classify(status, count: 1, excerpt: "outside the folder");
        Assert.Equal((Outcomes.Refused, FailureReasons.ChannelRejected), (classified.Outcome, classified.Reason));
        Assert.Equal($"HTTP {status}: outside the folder", classified.Detail);
    }

    [Fact]
    public void A403_RefusesTheKey_SayingWhatTheEngineSaid()
    {
        Assert.Equal("HTTP 403: key file mismatch", Classify(403, excerpt: "key file mismatch").Detail);
        Assert.Equal("HTTP 403", Classify(403).Detail);
    }

    [Fact]
    public void A202_SaysTheKeyIsNotValidatedYet() =>
        Assert.Contains("not validated", Classify(202).Detail);

    [Fact]
    public void APlainAcceptance_NeedsNoDetail_AndNoAnswerSaysWhatFailed()
    {
        Assert.Null(Classify(200).Detail);
        Assert.Equal("no answer: connection refused", Classify(0, mayHaveArrived: false, excerpt: "connection refused").Detail);
    }

    [Fact]
    public void TheServersRetryAfter_IsKeptForTheBackoff() =>
        Assert.Equal(TimeSpan.FromMinutes(5), Classify(429, retryAfter: TimeSpan.FromMinutes(5)).RetryAfter);

    [Fact]
    public void OnlyFailuresThatProveNothingLeft_CountAsNeverSent()
    {
        Assert.True(ChannelHttp.NeverSent(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        Assert.True(ChannelHttp.NeverSent(new Polly.CircuitBreaker.BrokenCircuitException("open")));
        Assert.True(ChannelHttp.NeverSent(new InvalidOperationException("wrapped", new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"))));
        Assert.False(ChannelHttp.NeverSent(new HttpRequestException(HttpRequestError.ResponseEnded, "the answer was cut")));
        Assert.False(ChannelHttp.NeverSent(new Polly.Timeout.TimeoutRejectedException("slow")));
        Assert.True(ChannelHttp.ProvesNotReceived(System.Net.HttpStatusCode.TooManyRequests));
        Assert.True(ChannelHttp.ProvesNotReceived(System.Net.HttpStatusCode.ServiceUnavailable));
        Assert.False(ChannelHttp.ProvesNotReceived(System.Net.HttpStatusCode.BadGateway));
    }
}
