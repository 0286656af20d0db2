using System.Collections.Concurrent;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One query the simulated SERP API answered.</summary>
public sealed record SerpQuery(DateTimeOffset At, string? ApiKey, string? Query, int Status, int Results, bool DroppedAMatch);

/// <summary>The SERP API's counts: queries, those answered 200, and matches left out as false negatives.</summary>
public sealed record SerpStatistics(int Queries, int Answered, int FalseNegatives);

/// <summary>
/// The simulated SERP API (Serper's shape, protocols.md): <c>POST https://google.serper.dev/search</c> with header
/// <c>X-API-KEY</c> and JSON <c>{"q","num"}</c> → <c>{"searchParameters":…,"organic":[{"title","link","position"}, …]}</c>,
/// the organic results read from the <see cref="SearchIndex"/>. Strict: 405 for other methods, 403 without a key it
/// issued, 400 for a body that is not a query. Like real checkers it misses indexed pages at times
/// (<see cref="FalseNegativeRate"/>: the share of answers that leave the matching URL out). Scriptable: the next
/// answers' status, latency.
/// </summary>
public sealed class SerpSimulation
{
    public const string Host = "google.serper.dev";

    private readonly ConcurrentDictionary<string, byte> keys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<int> scripted = new();
    private readonly List<SerpQuery> queries = [];
    private readonly Random random = new(20261202);

    /// <summary>Share of answers (0 to 1) that leave an indexed matching URL out.</summary>
    public double FalseNegativeRate { get; set; }

    public TimeSpan Latency { get; set; }

    /// <summary>Issues an API key the simulated API accepts.</summary>
    public string CreateApiKey()
    {
        var key = "serp" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        keys[key] = 0;
        return key;
    }

    /// <summary>Accepts <paramref name="key"/> (a test's own).</summary>
    public void AddApiKey(string key) => keys[key] = 0;

    public void RevokeApiKey(string key) => keys.TryRemove(key, out _);

    internal bool Knows(string key) => keys.ContainsKey(key);

    /// <summary>The next <paramref name="count"/> queries answer <paramref name="status"/>.</summary>
    public void ScriptNext(int count, int status)
    {
        for (var i = 0; i < count; i++)
            scripted.Enqueue(status);
    }

    internal bool TryTakeScripted(out int status) => scripted.TryDequeue(out status);

    internal bool MissThisTime()
    {
        lock (random)
            return FalseNegativeRate > 0 && random.NextDouble() < FalseNegativeRate;
    }

    public IReadOnlyList<SerpQuery> Queries
    {
        get
        {
            lock (queries)
                return [.. queries];
        }
    }

    internal void Record(SerpQuery query)
    {
        lock (queries)
            queries.Add(query);
    }

    public SerpStatistics Statistics()
    {
        var all = Queries;
        return new SerpStatistics(all.Count, all.Count(q => q.Status == 200), all.Count(q => q.DroppedAMatch));
    }
}
