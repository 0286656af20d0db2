using System.Collections.Concurrent;

namespace BacklinkOrleans.Sandbox.Contracts;

/// <summary>One task of the simulated vendor: its URLs, when it was created, and when each of its URLs is processed.</summary>
public sealed record VendorTask(string Id, string ApiKey, string Type, string Title, IReadOnlyList<string> Urls, DateTimeOffset CreatedAt, TimeSpan ProcessingTime)
{
    /// <summary>How many URLs are processed at <paramref name="now"/> (spread evenly over the processing time).</summary>
    public int ProcessedAt(DateTimeOffset now) =>
        now >= CreatedAt + ProcessingTime ? Urls.Count
        : ProcessingTime <= TimeSpan.Zero ? Urls.Count
        : (int)Math.Clamp(Math.Floor(Urls.Count * ((now - CreatedAt) / ProcessingTime)), 0, Urls.Count);

    public bool IsCompletedAt(DateTimeOffset now) => ProcessedAt(now) == Urls.Count;
}

/// <summary>One request the simulated vendor answered: path, API key, the answer's HTTP status and code.</summary>
public sealed record VendorRequest(DateTimeOffset At, string Path, string? ApiKey, int Status, int? Code);

/// <summary>
/// The simulated paid indexing vendor (SpeedyIndex v2 shape, protocols.md): <c>https://api.speedyindex.com</c>, header
/// <c>Authorization: &lt;key&gt;</c>; accounts with indexer and checker credits (one a URL, taken when a task is
/// created; code 1 when the balance is too low for the whole task); indexer and checker tasks of up to 10,000 URLs,
/// processed over <see cref="ProcessingTime"/>; status, full report (indexed from the <see cref="SearchIndex"/>,
/// unindexed with <c>error_code</c> −1 for noindex, the page's HTTP status when not 200, else 0) and the task list,
/// newest first, 1,000 a page. An indexer task submits its URLs to the index at creation. Scriptable: overload
/// answers (code −2), 5xx, and an answer lost after the task was created.
/// </summary>
public sealed class VendorSimulation
{
    public const string Host = "api.speedyindex.com";
    public const int MaxUrlsPerTask = 10_000;
    public const int MaxTaskIdsPerStatus = 1_000;
    public const int TasksPerPage = 1_000;

    private readonly ConcurrentDictionary<string, Account> accounts = new(StringComparer.Ordinal);
    private readonly List<VendorTask> tasks = [];
    private readonly List<VendorRequest> requests = [];
    private readonly ConcurrentQueue<int> scriptedCreates = new();

    private sealed class Account
    {
        public long Indexer;
        public long Checker;
    }

    /// <summary>How long a task takes from creation until every URL is processed.</summary>
    public TimeSpan ProcessingTime { get; set; } = TimeSpan.FromHours(2);

    public TimeSpan Latency { get; set; }

    /// <summary>Called after a task is created and before it is answered (a test holds the answer here, as a sender's crash would lose it).</summary>
    public Func<VendorTask, Task>? HoldCreated { get; set; }

    /// <summary>Opens an account with these credits and returns its API key.</summary>
    public string CreateAccount(long indexerCredits, long checkerCredits = 0)
    {
        var key = "si" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        accounts[key] = new Account { Indexer = indexerCredits, Checker = checkerCredits };
        return key;
    }

    /// <summary>Adds credits to an account (a top-up); false for an unknown key.</summary>
    public bool TopUp(string key, long indexerCredits, long checkerCredits = 0)
    {
        if (!accounts.TryGetValue(key, out var account))
            return false;
        lock (account)
            (account.Indexer, account.Checker) = (account.Indexer + indexerCredits, account.Checker + checkerCredits);
        return true;
    }

    /// <summary>The account's credits (indexer, checker); null for an unknown key.</summary>
    public (long Indexer, long Checker)? Balance(string key)
    {
        if (!accounts.TryGetValue(key, out var account))
            return null;
        lock (account)
            return (account.Indexer, account.Checker);
    }

    /// <summary>
    /// The next <paramref name="count"/> task creations answer <paramref name="code"/>: −2 (overloaded), an HTTP status
    /// ≥ 500, or <see cref="CreatedButLost"/> (the task is created, the connection dropped before the answer).
    /// </summary>
    public void ScriptCreates(int count, int code)
    {
        for (var i = 0; i < count; i++)
            scriptedCreates.Enqueue(code);
    }

    /// <summary>Scripted create answer: the task is created, then the connection is dropped (the client never learns its id).</summary>
    public const int CreatedButLost = -1000;

    internal bool TryTakeScripted(out int code) => scriptedCreates.TryDequeue(out code);

    internal bool Knows(string key) => accounts.ContainsKey(key);

    /// <summary>Takes <paramref name="count"/> credits of <paramref name="type"/>; false (nothing taken) when the balance is too low.</summary>
    internal bool TryCharge(string key, string type, int count)
    {
        var account = accounts[key];
        lock (account)
        {
            ref var balance = ref type == "checker" ? ref account.Checker : ref account.Indexer;
            if (balance < count)
                return false;
            balance -= count;
            return true;
        }
    }

    internal VendorTask AddTask(string key, string type, string title, IReadOnlyList<string> urls, DateTimeOffset now)
    {
        var task = new VendorTask(Guid.NewGuid().ToString("N")[..24], key, type, title, urls, now, ProcessingTime);
        lock (tasks)
            tasks.Add(task);
        return task;
    }

    /// <summary>Every task created, oldest first.</summary>
    public IReadOnlyList<VendorTask> Tasks
    {
        get
        {
            lock (tasks)
                return [.. tasks];
        }
    }

    internal VendorTask? Task(string key, string id)
    {
        lock (tasks)
            return tasks.FirstOrDefault(t => t.Id == id && t.ApiKey == key);
    }

    public IReadOnlyList<VendorRequest> Requests
    {
        get
        {
            lock (requests)
                return [.. requests];
        }
    }

    internal void Record(VendorRequest request)
    {
        lock (requests)
            requests.Add(request);
    }

    /// <summary>The URLs of indexer tasks, with how many tasks each was in (more than one: submitted twice).</summary>
    public IReadOnlyDictionary<string, int> SubmittedUrls() =>
        Tasks.Where(t => t.Type == "indexer").SelectMany(t => t.Urls).GroupBy(u => u, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
