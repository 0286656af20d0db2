namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One request the Sandbox received, as tests and the demo inspect them.</summary>
public sealed record RecordedRequest(
    DateTimeOffset At, string Scheme, string Host, string Method, string PathAndQuery, string? Body, int Status, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The requests the Sandbox received, in arrival order: the most recent <see cref="Capacity"/> (by default
/// <see cref="DefaultCapacity"/>; setting Sandbox:RequestLogCapacity), bodies cut to
/// 64 KiB, and credentials redacted (channels send them; operators read this log): the Authorization, X-Api-Key and
/// Cookie headers, IndexNow keys (the <c>key</c> parameter and the JSON body's <c>"key"</c>) and Google's signed
/// token request (<c>assertion</c>), which could be exchanged for an access token within the hour.
/// </summary>
public sealed class RequestLog(int capacity = RequestLog.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    public int Capacity { get; } = Math.Max(10, capacity);
    private const int MaxBodyChars = 64 * 1024;
    private static readonly string[] Redacted = ["Authorization", "X-Api-Key", "Cookie"];
    private const string Hidden = "(redacted)";
    private static readonly System.Text.RegularExpressions.Regex SecretParameter =
        new(@"(?<=(^|[?&])(key|assertion)=)[^&\s]+", System.Text.RegularExpressions.RegexOptions.Compiled | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    private static readonly System.Text.RegularExpressions.Regex SecretField =
        new(@"(?<=""key""\s*:\s*"")[^""]*", System.Text.RegularExpressions.RegexOptions.Compiled | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
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
            h => Redacted.Contains(h.Key, StringComparer.OrdinalIgnoreCase) ? Hidden : h.Value, StringComparer.OrdinalIgnoreCase);
        var body = request.Body is { Length: > MaxBodyChars } large ? large[..MaxBodyChars] + "…(cut)" : request.Body;
        body = body is null ? null : SecretField.Replace(SecretParameter.Replace(body, Hidden), Hidden);
        var pathAndQuery = SecretParameter.Replace(request.PathAndQuery, Hidden);
        lock (requests)
        {
            if (requests.Count >= Capacity)
                requests.RemoveRange(0, Capacity / 10);
            requests.Add(request with { Headers = headers, Body = body, PathAndQuery = pathAndQuery });
        }
    }
}
