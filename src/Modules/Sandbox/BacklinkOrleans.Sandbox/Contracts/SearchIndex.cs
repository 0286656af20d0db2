using System.Collections.Concurrent;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>
/// The simulated search engines' index, which the simulated checkers read: a URL is indexed from the time it was
/// marked so, or a while after an engine accepted it (<see cref="IndexAfterSubmission"/>; per host with
/// <see cref="SlowHost"/>: hosts whose pages the engines take their time with), until it is dropped.
/// </summary>
public sealed class SearchIndex
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> marked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> dropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan?> slowHosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long after an engine accepted a URL it is indexed; null: submissions alone never index a URL.</summary>
    public TimeSpan? IndexAfterSubmission { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>URLs of <paramref name="host"/> are indexed <paramref name="after"/> their submission (null: never by submission).</summary>
    public SearchIndex SlowHost(string host, TimeSpan? after)
    {
        slowHosts[host] = after;
        return this;
    }

    /// <summary>The URL is indexed from <paramref name="from"/> on (already indexed before anything was submitted).</summary>
    public SearchIndex MarkIndexed(string url, DateTimeOffset from)
    {
        var key = Key(url);
        marked[key] = from;
        dropped.TryRemove(key, out _);
        return this;
    }

    /// <summary>The URL drops out of the index at <paramref name="at"/> (until it is marked or submitted again).</summary>
    public SearchIndex Drop(string url, DateTimeOffset at)
    {
        dropped[Key(url)] = at;
        return this;
    }

    /// <summary>An engine accepted the URL at <paramref name="at"/>.</summary>
    internal void Submitted(string url, DateTimeOffset at)
    {
        var key = Key(url);
        submitted.AddOrUpdate(key, at, (_, first) => first);
        if (dropped.TryGetValue(key, out var gone) && gone <= at)
            dropped.TryRemove(key, out _); // a dropped URL submitted again comes back
    }

    /// <summary>Whether an engine ever accepted the URL (Google has discovered it).</summary>
    public bool WasSubmitted(string url) => submitted.ContainsKey(Key(url));

    public bool IsIndexed(string url, DateTimeOffset now)
    {
        var key = Key(url);
        if (dropped.TryGetValue(key, out var gone) && gone <= now)
            return false;
        if (marked.TryGetValue(key, out var from) && from <= now)
            return true;
        if (!submitted.TryGetValue(key, out var at))
            return false;
        var delay = UrlNormalizer.TryNormalize(url, out var normalized, out _) && slowHosts.TryGetValue(normalized.Host, out var slow) ? slow : IndexAfterSubmission;
        return delay is { } d && at + d <= now;
    }

    /// <summary>The indexed URLs that a <c>site:</c> query for <paramref name="prefix"/> (host and path, no scheme) matches.</summary>
    public IReadOnlyList<string> Matching(string prefix, DateTimeOffset now) =>
        [.. marked.Keys.Concat(submitted.Keys).Distinct(StringComparer.Ordinal)
            .Where(u => WithoutScheme(u).StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && IsIndexed(u, now))
            .Order(StringComparer.Ordinal)];

    private static string WithoutScheme(string url) => url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];

    private static string Key(string url) => UrlNormalizer.TryNormalize(url, out var normalized, out _) ? normalized.Value : url;
}
