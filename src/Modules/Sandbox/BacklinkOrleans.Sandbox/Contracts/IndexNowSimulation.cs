using System.Collections.Concurrent;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One request the simulated IndexNow engine answered, with what it carried and who sent it (<c>X-Sandbox-Client</c>).</summary>
public sealed record IndexNowSubmission(
    DateTimeOffset At, string Endpoint, string Method, string? Host, string? Key, string? KeyLocation,
    IReadOnlyList<string> Urls, int Status, string? Reason, string? Client = null)
{
    /// <summary>200 and 202 mean the URLs were received.</summary>
    public bool Accepted => Status is 200 or 202;
}

/// <summary>A URL the engine accepted twice within a day, and the two requests that carried it.</summary>
public sealed record IndexNowRepeat(string Url, IndexNowRepeat.Request First, IndexNowRepeat.Request Second)
{
    /// <summary>One request: when it came, the client that sent it (a Host's pid with a shared Sandbox), its size.</summary>
    public sealed record Request(DateTimeOffset At, string? Client, int Urls);
}

/// <summary>
/// The engine's counts: requests, accepted requests and URLs, distinct URLs, URLs accepted twice within 24 h, the
/// largest accepted request, URLs refused because their key's daily limit was reached (a sender that keeps its
/// quota sends none), and the most URLs accepted for one key in one UTC day.
/// </summary>
public sealed record IndexNowStatistics(int Requests, int AcceptedRequests, int UrlsAccepted, int DistinctUrlsAccepted, int UrlsAcceptedTwiceWithinADay,
    int LargestAcceptedRequest, int UrlsRefusedOverDailyLimit = 0, int MostAcceptedForOneKeyInADay = 0);

/// <summary>
/// The simulated IndexNow engine (the endpoints of protocols.md all share it), strict as the real service:
/// 405 for other methods, 400 for malformed requests, 422 when any URL is off the host or outside the key
/// location's folder or the key's format is wrong (for the whole request), 403 when the key file is missing or
/// differs, 429 over the daily limit per key. Scriptable: answer the next requests with a chosen status (a 429
/// storm, with or without Retry-After), a 5xx rate, latency, a first-time "key validation pending" 202, and a hook
/// that can hold requests.
/// </summary>
public sealed class IndexNowSimulation
{
    public static readonly IReadOnlyList<string> Endpoints =
        ["api.indexnow.org", "www.bing.com", "yandex.com", "search.seznam.cz", "searchadvisor.naver.com", "indexnow.yep.com"];

    public const int MaxUrlsPerRequest = 10_000;

    /// <summary>The reason of a 429 for a key over its daily limit.</summary>
    public const string DailyLimitReason = "daily limit for this key reached";

    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> scripted = new();
    private readonly List<IndexNowSubmission> submissions = [];
    private readonly Random random = new(20261124);

    /// <summary>URLs accepted per key per UTC day before 429 (common practice; no official figure).</summary>
    public int DailyLimitPerKey { get; set; } = 10_000;

    /// <summary>When true, the first accepted request of a key answers 202 (received, key validation pending).</summary>
    public bool KeyValidationPending { get; set; }

    public TimeSpan Latency { get; set; }

    /// <summary>Share of requests answered 503 at random (0 to 1).</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Awaited before a request is answered; tests hold requests here (e.g. to kill a silo mid-send).</summary>
    public Func<IndexNowSubmission, Task>? BeforeAnswer { get; set; }

    /// <summary>
    /// When set, every accepted request after this many accepted URLs is held unanswered (its URLs counted as
    /// received, as a real engine that took them and then lost the connection) until <see cref="Release"/>: a fixed
    /// point at which a test kills the Host that sent it. Set over HTTP, so it works with the Sandbox in its own process.
    /// </summary>
    public int? HoldAfterUrls { get; set; }

    private readonly List<(IndexNowSubmission Submission, TaskCompletionSource Released)> held = [];
    private int urlsAccepted;

    /// <summary>The requests held now (see <see cref="HoldAfterUrls"/>).</summary>
    public IReadOnlyList<IndexNowSubmission> Held
    {
        get
        {
            lock (held)
                return [.. held.Select(h => h.Submission)];
        }
    }

    /// <summary>Answers every held request and stops holding.</summary>
    public int Release()
    {
        List<TaskCompletionSource> released;
        lock (held)
        {
            HoldAfterUrls = null;
            released = [.. held.Select(h => h.Released)];
            held.Clear();
        }
        foreach (var waiter in released)
            waiter.TrySetResult();
        return released.Count;
    }

    /// <summary>Completes when the request may be answered: at once, or when released.</summary>
    internal Task WaitIfHeldAsync(IndexNowSubmission submission)
    {
        lock (held)
        {
            if (!submission.Accepted || HoldAfterUrls is not { } after || Volatile.Read(ref urlsAccepted) < after)
                return Task.CompletedTask;
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            held.Add((submission, released));
            return released.Task;
        }
    }

    public IReadOnlyList<IndexNowSubmission> Submissions
    {
        get
        {
            lock (submissions)
                return [.. submissions];
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/>, with Retry-After when given.</summary>
    public void RespondNext(int count, int status, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
            scripted.Enqueue((status, retryAfter));
    }

    internal bool TryTakeScripted(out (int Status, TimeSpan? RetryAfter) answer) => scripted.TryDequeue(out answer);

    internal bool RandomServerError()
    {
        lock (random)
            return ServerErrorRate > 0 && random.NextDouble() < ServerErrorRate;
    }

    /// <summary>The search index the accepted URLs go into (set by the server).</summary>
    internal SearchIndex? Index { get; set; }

    internal void Record(IndexNowSubmission submission)
    {
        lock (submissions)
            submissions.Add(submission);
        if (submission.Accepted)
        {
            Interlocked.Add(ref urlsAccepted, submission.Urls.Count);
            foreach (var url in submission.Urls)
                Index?.Submitted(url, submission.At);
        }
    }

    /// <summary>What the engine received so far: requests, accepted URLs, and URLs accepted twice within a day.</summary>
    public IndexNowStatistics Statistics()
    {
        var all = Submissions;
        var accepted = all.Where(s => s.Accepted).ToList();
        var urls = accepted.SelectMany(s => s.Urls.Select(u => (Url: u, s.At))).ToList();
        var twice = urls.GroupBy(u => u.Url).Count(g => g.OrderBy(u => u.At).Zip(g.OrderBy(u => u.At).Skip(1)).Any(p => p.Second.At - p.First.At < TimeSpan.FromDays(1)));
        var overLimit = all.Where(s => s.Status == 429 && s.Reason == DailyLimitReason).Sum(s => s.Urls.Count);
        var mostForOneKey = accepted.GroupBy(s => (s.Key, Day: DateOnly.FromDateTime(s.At.UtcDateTime))).Select(g => g.Sum(s => s.Urls.Count))
            .DefaultIfEmpty(0).Max();
        return new IndexNowStatistics(all.Count, accepted.Count, urls.Count, urls.Select(u => u.Url).Distinct().Count(), twice,
            accepted.Count == 0 ? 0 : accepted.Max(s => s.Urls.Count), overLimit, mostForOneKey);
    }

    /// <summary>
    /// The URLs accepted twice within a day (at most <paramref name="max"/>), each with the two requests that carried
    /// it: when, which client, how many URLs each held (keys are not shown).
    /// </summary>
    public IReadOnlyList<IndexNowRepeat> AcceptedTwice(int max = 20) =>
        [.. Submissions.Where(s => s.Accepted).SelectMany(s => s.Urls.Select(u => (Url: u, Submission: s)))
            .GroupBy(u => u.Url, StringComparer.Ordinal)
            .Select(g => g.OrderBy(u => u.Submission.At).Zip(g.OrderBy(u => u.Submission.At).Skip(1))
                .FirstOrDefault(p => p.Second.Submission.At - p.First.Submission.At < TimeSpan.FromDays(1)))
            .Where(p => p.First.Url is not null)
            .Take(max)
            .Select(p => new IndexNowRepeat(p.First.Url, Seen(p.First.Submission), Seen(p.Second.Submission)))];

    private static IndexNowRepeat.Request Seen(IndexNowSubmission s) => new(s.At, s.Client, s.Urls.Count);

    internal readonly ConcurrentDictionary<(string Key, DateOnly Day), int> UsedPerKeyAndDay = new();
    internal readonly ConcurrentDictionary<string, byte> KeysSeen = new();
}
