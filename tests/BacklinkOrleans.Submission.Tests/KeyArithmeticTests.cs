using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.IndexNow;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>The quota grain's arithmetic without Orleans: the queue's order, the window, the backoff and batch size.</summary>
public sealed class KeyArithmeticTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 23, 59, 0, TimeSpan.Zero);
    private static readonly IndexNowOptions Options = new() { BackoffBase = TimeSpan.FromSeconds(30), BackoffMax = TimeSpan.FromHours(1), MaxBatchSize = 1_000 };

    private static QueuedUrl Url(string id, int priority = 50, int second = 0) =>
        new(id, $"https://example.com/{id}", priority, TimeSpan.FromHours(1), T0.AddSeconds(second));

    [Fact]
    public void TheQueue_SendsHigherPriorityFirst_ThenInArrivalOrder_AndKeepsOneEntryPerUrl()
    {
        var queue = new SendQueue();
        Assert.True(queue.Add(Url("a", 50, 1)));
        Assert.True(queue.Add(Url("b", 90, 2)));
        Assert.True(queue.Add(Url("c", 50, 3)));
        Assert.False(queue.Add(Url("a", 99, 4)));

        Assert.Equal(3, queue.Count);
        Assert.Equal(T0.AddSeconds(1), queue.OldestEnqueuedAt);
        Assert.Equal(["b", "a"], queue.Take(2).Select(u => u.UrlHash));
        Assert.Equal(["c"], queue.Take(5).Select(u => u.UrlHash));
        Assert.Null(queue.OldestEnqueuedAt);
    }

    [Fact]
    public void UrlsPutBack_GoAheadOfNewcomersOfTheirPriority_InTheirOrder()
    {
        var queue = new SendQueue();
        queue.Add(Url("new", 50));
        queue.Add(Url("urgent", 80));
        queue.PutBack([Url("x"), Url("y")]);
        Assert.Equal(["urgent", "x", "y", "new"], queue.Take(10).Select(u => u.UrlHash));
    }

    [Fact]
    public void Bisection_SplitsIntoHalvesSentInOrder_WithinABudgetPerRefusedRequest()
    {
        var bisections = new Bisections(requestsPerRoot: 4);
        var urls = Enumerable.Range(0, 5).Select(i => Url($"u{i}")).ToList();

        Assert.True(bisections.Split("r", "r", urls));
        Assert.Equal(5, bisections.UrlCount);
        Assert.True(bisections.Contains("u4"));
        Assert.True(bisections.TryPeek(out var first));
        Assert.Equal(("r.1", "r"), (first.BatchId, first.Root));
        Assert.Equal(["u0", "u1"], first.Urls.Select(u => u.UrlHash));
        bisections.Dequeue();
        Assert.False(bisections.Contains("u0"));
        Assert.Equal(3, bisections.UrlCount);

        Assert.True(bisections.Split("r.1", "r", first.Urls)); // the budget's second pair of requests
        Assert.False(bisections.Split("r.2", "r", urls[2..])); // a third pair would exceed 4 requests
        Assert.True(bisections.Split("s", "s", [Url("v0"), Url("v1")])); // another refused request has a budget of its own

        Assert.Equal(["u2", "u3", "u4", "u0", "u1", "v0", "v1"], bisections.TakeAll().Select(u => u.UrlHash));
        Assert.Equal(0, bisections.UrlCount);
        Assert.False(bisections.TryPeek(out _));
    }

    [Fact]
    public void TheWindow_IsTheUtcDay_UsageAndReservationsCount_AndANewDayStartsAtZero()
    {
        var ledger = new KeyLedger { WindowDay = KeyLedger.Day(T0), Used = 9_000 };
        ledger.InFlight.Add(new InFlightBatch("b", [Url("a"), Url("b")], T0, "key:1"));
        Assert.Equal((9_000, 2, 998), (ledger.UsedOn(T0), ledger.Reserved, ledger.Available(T0, 10_000)));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), KeyLedger.NextWindow(T0));

        var tomorrow = T0.AddMinutes(2);
        Assert.Equal((0, 9_998), (ledger.UsedOn(tomorrow), ledger.Available(tomorrow, 10_000))); // the reservation still counts
        ledger.Roll(tomorrow);
        Assert.Equal((KeyLedger.Day(tomorrow), 0), (ledger.WindowDay, ledger.Used));
    }

    [Theory]
    [InlineData(1, 0.0, 15)]
    [InlineData(1, 1.0, 30)]
    [InlineData(3, 0.0, 60)]
    [InlineData(3, 1.0, 120)]
    [InlineData(20, 1.0, 3_600)]
    public void TheBackoff_DoublesFromTheBase_WithJitterInTheUpperHalf_UpToTheCap(int consecutive, double random, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Backoff.Next(consecutive, null, Options, random));

    [Fact]
    public void TheBackoff_NeverUndercutsRetryAfter_EvenBeyondTheCap() =>
        Assert.Equal(TimeSpan.FromHours(2), Backoff.Next(1, TimeSpan.FromHours(2), Options, 0.5));

    [Fact]
    public void TheBatch_HalvesFromTheSecond429InARow_NeverBelowOne_AndDoublesBackToTheCap()
    {
        Assert.Equal(1_000, Backoff.AfterTooManyRequests(1_000, 1, Options));
        Assert.Equal(500, Backoff.AfterTooManyRequests(1_000, 2, Options));
        Assert.Equal(1, Backoff.AfterTooManyRequests(1, 9, Options));
        Assert.Equal(500, Backoff.AfterSuccess(250, Options));
        Assert.Equal(1_000, Backoff.AfterSuccess(800, Options));
    }

    [Fact]
    public void WhatTheLedgerLearns_FromEachKindOfAnswer()
    {
        var ledger = new KeyLedger { BatchSize = 1_000 };
        IndexNowAnswer Answer(int status, TimeSpan? retryAfter = null, bool mayHaveArrived = true) => new(status, retryAfter, null, mayHaveArrived, 5);
        void Learn(IndexNowAnswer a) => ledger.Learn(a, AnswerRules.Classify(a, 10).Outcome, AnswerRules.Describe(a), T0, Options, 1.0);

        Learn(Answer(429));
        Assert.Equal((1, 1_000, T0.AddSeconds(30)), (ledger.Consecutive429, ledger.BatchSize, ledger.BackoffUntil!.Value));
        Learn(Answer(429, TimeSpan.FromMinutes(5)));
        Assert.Equal((2, 500, T0.AddMinutes(5)), (ledger.Consecutive429, ledger.BatchSize, ledger.BackoffUntil!.Value));
        Learn(Answer(202));
        Assert.Equal((0, 1_000, null, KeyStates.Pending), (ledger.Consecutive429, ledger.BatchSize, ledger.BackoffUntil, ledger.KeyState));
        Learn(Answer(0)); // timed out after sending: unknown, and the key pauses
        Assert.Equal((1, T0.AddSeconds(30)), (ledger.ConsecutiveFailures, ledger.BackoffUntil!.Value));
        Learn(Answer(413));
        Assert.Equal(500, ledger.BatchSize);
        Learn(Answer(403));
        Assert.Equal((KeyStates.Invalid, "HTTP 403"), (ledger.KeyState, ledger.KeyDetail));
    }

    [Theory]
    [InlineData(200, true, "accepted", null)]
    [InlineData(0, true, "unknown", null)]
    [InlineData(0, false, "deferred", null)]
    [InlineData(504, true, "unknown", null)]
    [InlineData(503, true, "deferred", null)]
    [InlineData(422, true, "deferred", null)]
    [InlineData(403, true, "refused", "key-invalid")]
    [InlineData(410, true, "refused", "channel-rejected")]
    public void AnswersMeanForABatch(int status, bool mayHaveArrived, string outcome, string? reason) =>
        Assert.Equal((outcome, reason), AnswerRules.Classify(new IndexNowAnswer(status, null, null, mayHaveArrived, 1), 10));

    [Fact]
    public void A422ForASingleUrl_RefusesIt() =>
        Assert.Equal(("refused", "channel-rejected"), AnswerRules.Classify(new IndexNowAnswer(422, null, "outside the folder", true, 1), 1));

    [Fact]
    public void OnlyFailuresThatProveNothingLeft_CountAsNeverSent()
    {
        Assert.True(IndexNowClient.NeverSent(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        Assert.True(IndexNowClient.NeverSent(new Polly.CircuitBreaker.BrokenCircuitException("open")));
        Assert.False(IndexNowClient.NeverSent(new HttpRequestException(HttpRequestError.ResponseEnded, "the answer was cut")));
        Assert.False(IndexNowClient.NeverSent(new Polly.Timeout.TimeoutRejectedException("slow")));
        Assert.True(IndexNowClient.ProvesNotReceived(System.Net.HttpStatusCode.TooManyRequests));
        Assert.False(IndexNowClient.ProvesNotReceived(System.Net.HttpStatusCode.BadGateway));
    }
}
