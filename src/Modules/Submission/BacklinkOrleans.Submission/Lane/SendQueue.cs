using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// The URLs waiting for a request, one entry per URL: higher campaign priority first, then higher URL priority, then
/// first come first served. URLs put back after a refused request go ahead of their rank's newcomers. A batch holds
/// URLs of one credential (the one of the URL at the head).
/// </summary>
internal sealed class SendQueue
{
    private readonly SortedDictionary<(int Campaign, int Url, long Sequence), LaneItem> order = [];
    private readonly Dictionary<string, (int, int, long)> byHash = new(StringComparer.Ordinal);
    private DateTimeOffset? oldest;
    private long back;
    private long front;

    public int Count => byHash.Count;

    public bool Contains(string urlHash) => byHash.ContainsKey(urlHash);

    /// <summary>When the longest-waiting URL was queued; null when empty.</summary>
    public DateTimeOffset? OldestEnqueuedAt => byHash.Count == 0 ? null : oldest ??= order.Values.Min(u => u.EnqueuedAt);

    /// <summary>The URL that would be sent first; null when empty.</summary>
    public LaneItem? Head => order.Count == 0 ? null : order.First().Value;

    /// <summary>The URL that would be sent last (the lowest ranked); null when empty.</summary>
    public LaneItem? Tail => order.Count == 0 ? null : order.Last().Value;

    /// <summary>Queues a URL; false when it is queued already.</summary>
    public bool Add(LaneItem item) => Insert(item, ++back);

    /// <summary>Puts URLs back ahead of the others of their rank, in the order given.</summary>
    public void PutBack(IReadOnlyList<LaneItem> items)
    {
        front -= items.Count;
        var sequence = front;
        foreach (var item in items)
            Insert(item, sequence++);
    }

    /// <summary>Removes and returns up to <paramref name="count"/> URLs of the head's credential, in sending order.</summary>
    public List<LaneItem> Take(int count)
    {
        var credential = Head?.CredentialId;
        var taken = new List<LaneItem>(Math.Min(count, Count));
        foreach (var (_, item) in order)
        {
            if (taken.Count == count)
                break;
            if (item.CredentialId == credential)
                taken.Add(item);
        }
        RemoveAll(taken);
        return taken;
    }

    /// <summary>Removes and returns every URL of <paramref name="credentialId"/> (all of them when null).</summary>
    public List<LaneItem> TakeAll(string? credentialId = null)
    {
        var taken = order.Values.Where(i => credentialId is null || i.CredentialId == credentialId).ToList();
        RemoveAll(taken);
        return taken;
    }

    /// <summary>Removes one URL; false when it is not queued.</summary>
    public bool Remove(string urlHash)
    {
        if (!byHash.Remove(urlHash, out var position))
            return false;
        order.Remove(position);
        oldest = null;
        return true;
    }

    private void RemoveAll(List<LaneItem> items)
    {
        foreach (var item in items)
        {
            order.Remove(byHash[item.UrlHash]);
            byHash.Remove(item.UrlHash);
        }
        oldest = null;
    }

    private bool Insert(LaneItem item, long sequence)
    {
        if (byHash.ContainsKey(item.UrlHash))
            return false;
        var position = (-item.CampaignPriority, -item.Priority, sequence);
        order.Add(position, item);
        byHash[item.UrlHash] = position;
        if (oldest is { } o && item.EnqueuedAt < o)
            oldest = item.EnqueuedAt;
        return true;
    }

    /// <summary>Whether <paramref name="candidate"/> ranks above <paramref name="queued"/> (it would be sent first).</summary>
    public static bool Outranks(LaneItem candidate, LaneItem queued) =>
        (candidate.CampaignPriority, candidate.Priority).CompareTo((queued.CampaignPriority, queued.Priority)) > 0;
}
