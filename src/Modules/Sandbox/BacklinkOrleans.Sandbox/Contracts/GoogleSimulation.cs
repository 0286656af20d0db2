using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One publish request the simulated Indexing API answered (a batch's parts each count as one).</summary>
public sealed record GooglePublication(DateTimeOffset At, string? Project, string? ClientEmail, string? Url, string? Type, int Status, string? Message,
    bool InBatch)
{
    public bool Accepted => Status == 200;
}

/// <summary>The simulated Indexing API's counts: publish requests, accepted, distinct URLs, URLs accepted twice within 24 h, tokens issued.</summary>
public sealed record GoogleStatistics(int Publications, int Accepted, int DistinctUrlsAccepted, int UrlsAcceptedTwiceWithinADay, int TokensIssued,
    int TokensRefused, int MetadataReads);

/// <summary>
/// Google's token endpoint and Indexing API v3, simulated as strictly as protocols.md describes them: the token
/// endpoint verifies an RS256 JWT assertion (signature by the account's key, <c>iss</c>, <c>scope</c>, <c>aud</c>,
/// <c>exp</c> ≤ <c>iat</c> + 3600, not expired) and answers <c>invalid_grant</c> otherwise; the API wants a live
/// token with the indexing scope (401/403), counts 200 publish requests per Cloud project per Pacific day and 380
/// requests a minute (429 with Google's messages, no Retry-After), checks the account is an Owner of a property
/// covering the URL (403 "Permission denied. Failed to verify the URL ownership."), answers metadata (404 for a URL
/// never notified) and batches of up to 100 parts. Scriptable: the next answers, latency, a hook that holds requests.
/// </summary>
public sealed class GoogleSimulation
{
    public const string TokenHost = "oauth2.googleapis.com";
    public const string IndexingHost = "indexing.googleapis.com";
    public const string SearchConsoleHost = "searchconsole.googleapis.com";
    public const string WebmastersScope = "https://www.googleapis.com/auth/webmasters.readonly";
    public const string TokenUrl = "https://oauth2.googleapis.com/token";
    public const string IndexingScope = "https://www.googleapis.com/auth/indexing";
    public const int MaxPartsPerBatch = 100;

    public static readonly TimeZoneInfo Pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    internal readonly ConcurrentDictionary<string, (RSA PublicKey, string Project)> Accounts = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> OwnersByProperty = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, (string Email, string Project, string Scope, DateTimeOffset ExpiresAt)> Tokens = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<(string Project, DateOnly PacificDay), int> PublishesPerDay = new();
    internal readonly ConcurrentDictionary<(string Project, long Minute), int> RequestsPerMinute = new();
    internal readonly ConcurrentDictionary<(string Project, long Minute), int> MetadataPerMinute = new();
    internal readonly ConcurrentDictionary<string, (string? LatestUpdate, string? LatestRemove)> Notified = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<(string Property, DateOnly PacificDay), int> InspectionsPerDay = new();
    internal readonly ConcurrentDictionary<(string Property, long Minute), int> InspectionsPerMinute = new();
    private readonly ConcurrentDictionary<string, List<(DateTimeOffset From, InspectionState State)>> timelines = new(StringComparer.Ordinal);
    private readonly List<InspectionRequest> inspections = [];
    private readonly ConcurrentQueue<(int Status, string Message)> scripted = new();
    private readonly List<GooglePublication> publications = [];
    private int tokensIssued, tokensRefused, metadataReads;

    /// <summary>Publish requests per Cloud project per Pacific day (URL_UPDATED and URL_DELETED together).</summary>
    public int DailyPublishLimit { get; set; } = 200;

    /// <summary>Requests per Cloud project per minute, across endpoints (each part of a batch counts).</summary>
    public int PerMinuteLimit { get; set; } = 380;

    /// <summary>Metadata reads per Cloud project per minute.</summary>
    public int MetadataPerMinuteLimit { get; set; } = 180;

    public TimeSpan Latency { get; set; }

    /// <summary>URL Inspection requests per property per day (Pacific), and per minute.</summary>
    public int InspectionDailyLimit { get; set; } = 2_000;

    public int InspectionPerMinuteLimit { get; set; } = 600;

    /// <summary>
    /// From <paramref name="from"/> on, URL Inspection says <paramref name="state"/> about <paramref name="url"/>
    /// (steps of a timeline; without one, it answers from the search index: indexed, or "Discovered" once submitted,
    /// else "URL is unknown to Google").
    /// </summary>
    public GoogleSimulation ScriptInspection(string url, DateTimeOffset from, InspectionState state)
    {
        var steps = timelines.GetOrAdd(url, _ => []);
        lock (steps)
        {
            steps.Add((from, state));
            steps.Sort((a, b) => a.From.CompareTo(b.From));
        }
        return this;
    }

    internal InspectionState? ScriptedInspection(string url, DateTimeOffset now)
    {
        if (!timelines.TryGetValue(url, out var steps))
            return null;
        lock (steps)
            return steps.LastOrDefault(s => s.From <= now).State;
    }

    public IReadOnlyList<InspectionRequest> Inspections
    {
        get
        {
            lock (inspections)
                return [.. inspections];
        }
    }

    internal void Record(InspectionRequest request)
    {
        lock (inspections)
            inspections.Add(request);
    }

    /// <summary>Awaited before a publish request (or part) is processed; tests hold requests here.</summary>
    public Func<GooglePublication, Task>? BeforeAnswer { get; set; }

    /// <summary>
    /// Awaited after a publish request (or part) was processed — Google has the notification — before its answer
    /// leaves: a test can kill the sender while it waits (the answer is lost, the notification is not).
    /// </summary>
    public Func<GooglePublication, Task>? HoldAnswer { get; set; }

    /// <summary>
    /// A new service account of <paramref name="project"/>: its JSON key, as Google Cloud would give it (an RSA key made
    /// here; the Sandbox keeps only the public half).
    /// </summary>
    public string CreateServiceAccount(string project, string? name = null)
    {
        var email = $"{name ?? "indexer-" + Guid.NewGuid().ToString("N")[..8]}@{project}.iam.gserviceaccount.com";
        using var rsa = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(rsa.ExportRSAPublicKey(), out _);
        Accounts[email] = (publicKey, project);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = project,
            ["private_key_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)),
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = string.Concat(Enumerable.Range(0, 21).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10)))),
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUrl,
        });
    }

    /// <summary>The email of a service account's JSON key.</summary>
    public static string EmailOf(string serviceAccountJson) =>
        JsonDocument.Parse(serviceAccountJson).RootElement.GetProperty("client_email").GetString()!;

    /// <summary>Makes <paramref name="clientEmail"/> an Owner of <paramref name="property"/> (<c>sc-domain:example.com</c> or a URL prefix).</summary>
    public void AddOwner(string property, string clientEmail) =>
        OwnersByProperty.GetOrAdd(property, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[clientEmail] = 0;

    /// <summary>Removes the account from the property's owners.</summary>
    public void RemoveOwner(string property, string clientEmail)
    {
        if (OwnersByProperty.TryGetValue(property, out var owners))
            owners.TryRemove(clientEmail, out _);
    }

    /// <summary>Revokes every token issued so far (the next request must fetch a new one).</summary>
    public void RevokeTokens() => Tokens.Clear();

    /// <summary>Access tokens issued to <paramref name="clientEmail"/> and not revoked since.</summary>
    public int TokensIssuedTo(string clientEmail, string? scope = null) =>
        Tokens.Values.Count(t => t.Email == clientEmail && (scope is null || t.Scope.Split(' ').Contains(scope)));

    /// <summary>The next <paramref name="count"/> publish answers (parts of batches included) are <paramref name="status"/> with <paramref name="message"/>.</summary>
    public void RespondNext(int count, int status, string message)
    {
        for (var i = 0; i < count; i++)
            scripted.Enqueue((status, message));
    }

    internal bool TryTakeScripted(out (int Status, string Message) answer) => scripted.TryDequeue(out answer);

    public IReadOnlyList<GooglePublication> Publications
    {
        get
        {
            lock (publications)
                return [.. publications];
        }
    }

    /// <summary>The search index the published URLs go into (set by the server).</summary>
    internal SearchIndex? Index { get; set; }

    internal void Record(GooglePublication publication)
    {
        lock (publications)
            publications.Add(publication);
        if (publication is { Accepted: true, Url: { } url, Type: "URL_UPDATED" })
            Index?.Submitted(url, publication.At);
    }

    internal void CountToken(bool issued) => Interlocked.Increment(ref issued ? ref tokensIssued : ref tokensRefused);

    internal void CountMetadataRead() => Interlocked.Increment(ref metadataReads);

    /// <summary>Publish requests of <paramref name="project"/> counted on the Pacific day of <paramref name="at"/>.</summary>
    public int PublishesOn(string project, DateTimeOffset at) => PublishesPerDay.GetValueOrDefault((project, PacificDay(at)));

    public static DateOnly PacificDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Pacific).DateTime);

    public GoogleStatistics Statistics()
    {
        var accepted = Publications.Where(p => p.Accepted && p.Url is not null).ToList();
        var twice = accepted.GroupBy(p => p.Url).Count(g => g.OrderBy(p => p.At).Zip(g.OrderBy(p => p.At).Skip(1)).Any(p => p.Second.At - p.First.At < TimeSpan.FromDays(1)));
        return new GoogleStatistics(Publications.Count, accepted.Count, accepted.Select(p => p.Url).Distinct().Count(), twice, tokensIssued, tokensRefused,
            metadataReads);
    }
}
