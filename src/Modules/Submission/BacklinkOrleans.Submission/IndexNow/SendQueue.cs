using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// The URLs waiting for a POST, one entry per URL: highest priority first, then first come first served. URLs put
/// back after a refused request go ahead of their priority's newcomers.
/// </summary>
internal sealed class SendQueue
{
    private readonly SortedDictionary<(int NegativePriority, long Sequence), QueuedUrl> order = [];
    private readonly Dictionary<string, (int, long)> byHash = new(StringComparer.Ordinal);
    private DateTimeOffset? oldest;
    private long back;
    private long front;

    public int Count => byHash.Count;

    public bool Contains(string urlHash) => byHash.ContainsKey(urlHash);

    /// <summary>When the longest-waiting URL was queued; null when empty.</summary>
    public DateTimeOffset? OldestEnqueuedAt => byHash.Count == 0 ? null : oldest ??= order.Values.Min(u => u.EnqueuedAt);

    /// <summary>Queues a URL; false when it is queued already.</summary>
    public bool Add(QueuedUrl url) => Insert(url, ++back);

    /// <summary>Puts URLs back ahead of the others of their priority, in the order given.</summary>
    public void PutBack(IReadOnlyList<QueuedUrl> urls)
    {
        front -= urls.Count;
        var sequence = front;
        foreach (var url in urls)
            Insert(url, sequence++);
    }

    /// <summary>Removes and returns up to <paramref name="count"/> URLs in sending order.</summary>
    public List<QueuedUrl> Take(int count)
    {
        var taken = new List<QueuedUrl>(Math.Min(count, Count));
        foreach (var (_, url) in order)
        {
            if (taken.Count == count)
                break;
            taken.Add(url);
        }
        foreach (var url in taken)
        {
            order.Remove(byHash[url.UrlHash]);
            byHash.Remove(url.UrlHash);
        }
        oldest = null;
        return taken;
    }

    private bool Insert(QueuedUrl url, long sequence)
    {
        if (byHash.ContainsKey(url.UrlHash))
            return false;
        var position = (-url.Priority, sequence);
        order.Add(position, url);
        byHash[url.UrlHash] = position;
        if (oldest is { } o && url.EnqueuedAt < o)
            oldest = url.EnqueuedAt;
        return true;
    }
}
