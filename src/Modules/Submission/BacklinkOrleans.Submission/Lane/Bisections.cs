using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// The search for the URLs an unexpected 400 or 422 is about: the refused request's URLs are split in halves, and each
/// half is sent alone, until the offending URLs stand alone. Each original request (its root) may spend a bounded number
/// of requests on it. The parts wait here, in memory, ahead of the queue.
/// </summary>
internal sealed class Bisections(int requestsPerRoot)
{
    private readonly Queue<Part> parts = new();
    private readonly Dictionary<string, int> budget = new(StringComparer.Ordinal);
    private readonly HashSet<string> hashes = new(StringComparer.Ordinal);

    public int RequestsPerRoot => requestsPerRoot;

    /// <summary>URLs waiting in parts.</summary>
    public int UrlCount => hashes.Count;

    public bool Contains(string urlHash) => hashes.Contains(urlHash);

    /// <summary>Queues the two halves of a refused request; false, and nothing queued, when its root's budget is spent.</summary>
    public bool Split(string batchId, string root, IReadOnlyList<LaneItem> urls)
    {
        var left = budget.GetValueOrDefault(root, requestsPerRoot) - 2;
        if (left < 0)
        {
            budget.Remove(root);
            return false;
        }
        budget[root] = left;
        var half = urls.Count / 2;
        Enqueue(new Part($"{batchId}.1", root, [.. urls.Take(half)]));
        Enqueue(new Part($"{batchId}.2", root, [.. urls.Skip(half)]));
        return true;
    }

    /// <summary>The next part to send, if any.</summary>
    public bool TryPeek(out Part part) => parts.TryPeek(out part!);

    /// <summary>Removes the part <see cref="TryPeek"/> gave: it is being sent.</summary>
    public void Dequeue()
    {
        foreach (var url in parts.Dequeue().Urls)
            hashes.Remove(url.UrlHash);
    }

    /// <summary>Empties every part and forgets every budget (the key can no longer be used).</summary>
    public List<LaneItem> TakeAll()
    {
        var all = parts.SelectMany(p => p.Urls).ToList();
        parts.Clear();
        hashes.Clear();
        budget.Clear();
        return all;
    }

    private void Enqueue(Part part)
    {
        parts.Enqueue(part);
        foreach (var url in part.Urls)
            hashes.Add(url.UrlHash);
    }

    /// <summary>One half, sent alone as request <paramref name="BatchId"/>, of the request <paramref name="Root"/> refused.</summary>
    public sealed record Part(string BatchId, string Root, List<LaneItem> Urls);
}
