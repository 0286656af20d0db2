namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One request the Sandbox received, as tests and the demo inspect them.</summary>
public sealed record RecordedRequest(
    DateTimeOffset At, string Scheme, string Host, string Method, string PathAndQuery, string? Body, int Status, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The requests the Sandbox received, in arrival order: the most recent <see cref="Capacity"/> (by default
/// <see cref="DefaultCapacity"/>; setting Sandbox:RequestLogCapacity), bodies cut to
/// 64 KiB, and Authorization and X-Api-Key headers redacted (channels send credentials; operators read this log).
/// </summary>
public sealed class RequestLog(int capacity = RequestLog.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    public int Capacity { get; } = Math.Max(10, capacity);
    private const int MaxBodyChars = 64 * 1024;
    private static readonly string[] Redacted = ["Authorization", "X-Api-Key", "Cookie"];
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
        var headers = request.Headers.ToDictionary(h => h.Key,
            h => Redacted.Contains(h.Key, StringComparer.OrdinalIgnoreCase) ? "(redacted)" : h.Value, StringComparer.OrdinalIgnoreCase);
        var body = request.Body is { Length: > MaxBodyChars } large ? large[..MaxBodyChars] + "…(cut)" : request.Body;
        lock (requests)
        {
            if (requests.Count >= Capacity)
                requests.RemoveRange(0, Capacity / 10);
            requests.Add(request with { Headers = headers, Body = body });
        }
    }
}
