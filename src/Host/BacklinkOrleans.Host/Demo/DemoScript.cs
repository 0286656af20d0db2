namespace BacklinkOrleans.Host.Demo;

/// <summary>
/// The seed's worked example, as a script the demo plays and its test checks: 150 guest-post URLs on 50 hosts of the
/// client Northwind — 12 already indexed before anything is sent, 3 hosts whose robots.txt blocks every crawler (9
/// URLs), and 11 URLs on 2 slow hosts that the engines index only two days after they first took them (so the
/// follow-ups miss them, recovery sends them through the paid vendor, and a later follow-up sees them indexed).
/// Every other URL is indexed half an hour after IndexNow takes it.
/// </summary>
internal static class DemoScript
{
    public const string Client = "Northwind";
    public const string Campaign = "Northwind guest posts — Q4";
    public const string Target = "https://northwind.example/";
    public const decimal VendorCostPerUrl = 0.02m;
    public static readonly TimeSpan SlowIndexing = TimeSpan.FromDays(2);
    public static readonly IReadOnlyList<string> FollowUps = ["1h", "24h"];

    public sealed record DemoHost(string Name, int Urls, bool Blocked, bool Slow)
    {
        public string Key => $"k{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Name)))[..16]}";

        public IEnumerable<string> UrlList => Enumerable.Range(1, Urls).Select(i => $"https://{Name}/guest-post-{i}");
    }

    /// <summary>50 hosts: 3 blocked (3 URLs each), 2 slow (6 and 5 URLs), 40 with 3 URLs and 5 with 2 (130 URLs).</summary>
    public static IReadOnlyList<DemoHost> Hosts { get; } =
    [
        .. Enumerable.Range(1, 3).Select(i => new DemoHost($"blocked-{i}.blog.example", 3, Blocked: true, Slow: false)),
        new DemoHost("slow-1.news.example", 6, Blocked: false, Slow: true),
        new DemoHost("slow-2.news.example", 5, Blocked: false, Slow: true),
        .. Enumerable.Range(1, 40).Select(i => new DemoHost($"guest-{i:00}.blog.example", 3, false, false)),
        .. Enumerable.Range(41, 5).Select(i => new DemoHost($"guest-{i:00}.blog.example", 2, false, false)),
    ];

    public static IReadOnlyList<string> Urls { get; } = [.. Hosts.SelectMany(h => h.UrlList)];

    /// <summary>The first URL of each of the first 12 ordinary hosts: indexed before the demo starts.</summary>
    public static IReadOnlyList<string> AlreadyIndexed { get; } = [.. Hosts.Where(h => !h.Blocked && !h.Slow).Take(12).Select(h => h.UrlList.First())];

    // What the script must come to (the demo's test checks these).
    public const int Backlinks = 150;
    public const int Blocked = 9;
    public const int Slow = 11;
    public const int Indexed = 141;
    public const int AlreadyIndexedCount = 12;
}
