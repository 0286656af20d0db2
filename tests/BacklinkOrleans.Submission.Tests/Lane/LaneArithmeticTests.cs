using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.IndexNow;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>The lane's arithmetic without Orleans: the queue's order, the bisection of refused requests, the backoff and batch size.</summary>
public sealed class LaneArithmeticTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 23, 59, 0, TimeSpan.Zero);
    private static readonly IndexNowOptions Options = new() { BackoffBase = TimeSpan.FromSeconds(30), BackoffMax = TimeSpan.FromHours(1), MaxBatchSize = 1_000 };

    private static LaneItem Url(string id, int priority = 50, int second = 0, int campaignPriority = 1, string credential = "cred-1") =>
        new(id, $"https://example.com/{id}", credential, priority, campaignPriority, TimeSpan.FromHours(1), "c1", T0.AddSeconds(second));

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(32, false)]
    public void AChannelsConnectionCap_IsAtLeastOne(int maxConnections, bool refused)
    {
        var problems = new IndexNowOptions { MaxConnections = maxConnections }.Problems(IndexNowOptions.Section, 10_000).ToList();

        Assert.Equal(refused, problems.Contains("Submission:IndexNow:MaxConnections must be at least 1."));
    }

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
        Assert.Equal(("b", "c"), (queue.Head!.UrlHash, queue.Tail!.UrlHash));
        Assert.Equal(["b", "a"], queue.Take(2).Select(u => u.UrlHash));
        Assert.Equal(T0.AddSeconds(3), queue.OldestEnqueuedAt);
        Assert.Equal(["c"], queue.Take(5).Select(u => u.UrlHash));
        Assert.Null(queue.OldestEnqueuedAt);
        Assert.Null(queue.Head);
    }

    [Fact]
    public void TheQueue_RanksByCampaignPriorityBeforeUrlPriority()
    {
        var queue = new SendQueue();
        queue.Add(Url("urgent-url-of-a-low-campaign", priority: 99, campaignPriority: 1));
        queue.Add(Url("plain-url-of-a-high-campaign", priority: 10, campaignPriority: 5));

        Assert.Equal(["plain-url-of-a-high-campaign", "urgent-url-of-a-low-campaign"], queue.Take(10).Select(u => u.UrlHash));
        Assert.True(SendQueue.Outranks(Url("x", 10, campaignPriority: 5), Url("y", 99, campaignPriority: 1)));
        Assert.True(SendQueue.Outranks(Url("x", 60), Url("y", 50)));
        Assert.False(SendQueue.Outranks(Url("x", 50), Url("y", 50))); // equals do not push each other out
    }

    [Fact]
    public void UrlsPutBack_GoAheadOfNewcomersOfTheirPriority_InTheirOrder()
    {
        var queue = new SendQueue();
        queue.Add(Url("new", 50));
        queue.Add(Url("urgent", 80));
        queue.PutBack([Url("x"), Url("y")]);
        queue.PutBack([Url("z")]);
        Assert.Equal(["urgent", "z", "x", "y", "new"], queue.Take(10).Select(u => u.UrlHash));
    }

    [Fact]
    public void ABatch_HoldsTheHeadsCredentialOnly_AndTheOthersKeepTheirPlace()
    {
        var queue = new SendQueue();
        queue.Add(Url("a1", 60, credential: "a"));
        queue.Add(Url("b1", 55, credential: "b"));
        queue.Add(Url("a2", 50, credential: "a"));

        Assert.Equal(["a1", "a2"], queue.Take(10).Select(u => u.UrlHash));
        Assert.Equal(["b1"], queue.Take(10).Select(u => u.UrlHash));
    }

    [Fact]
    public void TakingAllOfACredential_OrRemovingOneUrl_LeavesTheRest()
    {
        var queue = new SendQueue();
        queue.Add(Url("a1", credential: "a"));
        queue.Add(Url("b1", credential: "b"));
        queue.Add(Url("a2", credential: "a"));
        queue.Add(Url("b2", credential: "b"));

        Assert.Equal(["a1", "a2"], queue.TakeAll("a").Select(u => u.UrlHash));
        Assert.True(queue.Remove("b1"));
        Assert.False(queue.Remove("b1"));
        Assert.False(queue.Contains("a1"));
        Assert.Equal(["b2"], queue.TakeAll().Select(u => u.UrlHash));
        Assert.Equal(0, queue.Count);
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
    public void ARetryAfterBeyondADay_IsHonouredForADayOnly() =>
        Assert.Equal(Backoff.MaxRetryAfter, Backoff.Next(1, TimeSpan.FromDays(90), Options, 0.5));

    [Fact]
    public void TheBatch_HalvesFromTheSecond429InARow_NeverBelowOne_AndDoublesBackToTheCap()
    {
        Assert.Equal(1_000, Backoff.AfterTooManyRequests(1_000, 1, Options));
        Assert.Equal(500, Backoff.AfterTooManyRequests(1_000, 2, Options));
        Assert.Equal(1, Backoff.AfterTooManyRequests(1, 9, Options));
        Assert.Equal(500, Backoff.AfterSuccess(250, Options));
        Assert.Equal(1_000, Backoff.AfterSuccess(800, Options));
    }
}
