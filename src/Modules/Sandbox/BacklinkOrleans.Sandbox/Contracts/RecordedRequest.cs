namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One request the Sandbox received, as tests and the demo inspect them.</summary>
public sealed record RecordedRequest(
    DateTimeOffset At, string Scheme, string Host, string Method, string PathAndQuery, string? Body, int Status, IReadOnlyDictionary<string, string> Headers);

/// <summary>Every request the Sandbox received, in arrival order.</summary>
public sealed class RequestLog
{
    private readonly List<RecordedRequest> requests = [];

    public IReadOnlyList<RecordedRequest> All
    {
        get
        {
            lock (requests)
                return [.. requests];
        }
    }

    public IReadOnlyList<RecordedRequest> For(string host, string? path = null) =>
        [.. All.Where(r => string.Equals(r.Host, host, StringComparison.OrdinalIgnoreCase)
            && (path is null || r.PathAndQuery.Split('?')[0] == path))];

    internal void Add(RecordedRequest request)
    {
        lock (requests)
            requests.Add(request);
    }
}
