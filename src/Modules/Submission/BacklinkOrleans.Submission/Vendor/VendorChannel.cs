using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.Vendor;

/// <summary>
/// The paid vendor on the lane (protocols.md, SpeedyIndex v2 shape; ADR 0020): one quota grain per vendor account. A
/// request is one task titled with the lane's request id, so a lost answer is looked up in the task list by title
/// and a task is never created twice. The balance is read before each task: none left pauses the account (parked,
/// with the reason shown) until a top-up; less than the batch sends what it pays for and puts the rest back. "Overloaded"
/// (code −2) backs off. The task's report is asked for on a backoff schedule and reaches each backlink as an index
/// check (<see cref="MapReport"/>). A vendor covers any host unless the credential lists the hosts it may serve.
/// Two channels share this: the indexer (submissions) and the checker (index checks, an index-status provider).
/// </summary>
internal abstract class VendorChannelBase(VendorClient client, TimeProvider time, IOptions<VendorOptions> options) : IChannel
{
    public abstract ChannelDescriptor Descriptor { get; }

    protected abstract VendorService Service { get; }

    /// <summary>What one URL of a task costs with <paramref name="credential"/>.</summary>
    protected abstract decimal PriceOf(CredentialView credential);

    public LaneOptions Options => options.Value;

    protected VendorOptions Settings => options.Value;

    public IReadOnlyList<QuotaLimit> Limits => []; // the balance is the limit

    public bool Covers(CredentialView credential, NormalizedUrl url) =>
        credential.Scope.Hosts is not { Count: > 0 } hosts || hosts.Any(h => url.Host == h || url.Host.EndsWith("." + h, StringComparison.Ordinal));

    public IEnumerable<string> CoverageKeys(CredentialView credential) =>
        credential.Scope.Hosts is { Count: > 0 } hosts ? hosts.SelectMany(h => new[] { h, "*." + h }) : ["*"];

    public string QuotaKeyOf(CredentialView credential) => credential.Id;

    public async Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;
        var (balance, read) = await client.BalanceAsync(send.Secret, Service, cancellationToken);
        if (balance is not { } credits)
            return Failed(read, Elapsed());
        var low = credits < LowBalanceOf(send.Credential);
        if (credits < 1)
            return Paused(send, credits, Elapsed());

        var paid = send.Items.Take((int)Math.Min(send.Items.Count, credits)).ToList();
        var (taskId, created) = await client.CreateAsync(send.Secret, Service, send.BatchId, [.. paid.Select(i => i.Url)], cancellationToken);
        if (taskId is null && created is { Answered: true, Code: 1 })
            return Paused(send, 0, Elapsed());
        if (taskId is null && created is { Answered: true, Code: -2 })
            return new SendOutcome(created.Status, Outcomes.Deferred, null, $"{Descriptor.Name} is overloaded: {created.Describe}", Elapsed(), Pace.TooMany,
                RetryAfter: options.Value.OverloadedRetry);
        if (taskId is null && created.KeyRefused)
            return Refused(created, Elapsed());
        if (taskId is null && created is { Status: 400 or 422 })
            return new SendOutcome(created.Status, Outcomes.Split, FailureReasons.ChannelRejected, created.Describe, Elapsed(), Pace.None);
        if (taskId is null && !created.NeverSent)
        {
            // The task may exist (a 5xx after it was made, a lost connection): its title says.
            var (found, listed) = await client.FindByTitleAsync(send.Secret, Service, send.BatchId, time.GetUtcNow().AddHours(-1), cancellationToken);
            taskId = found?.Id;
            if (taskId is null)
                return listed.Ok && created.Answered
                    ? new SendOutcome(created.Status, Outcomes.Deferred, null, $"not created: {created.Describe}", Elapsed(), Pace.Failure)
                    : new SendOutcome(created.Status, Outcomes.Unknown, null, $"{created.Describe}; the task list could not tell ({listed.Describe})", Elapsed(), Pace.Failure);
        }
        if (taskId is null)
            return new SendOutcome(created.Status, Outcomes.Deferred, null, created.Describe, Elapsed(), Pace.Failure);

        var price = PriceOf(send.Credential);
        var left = credits - paid.Count;
        var perUrl = send.Items.ToDictionary(i => i.UrlHash, i => paid.Contains(i)
            ? new UrlVerdict(Outcomes.Accepted, null, $"task {taskId} ({paid.Count} URLs)", Cost: price)
            : new UrlVerdict(Outcomes.Deferred, null, $"the balance paid for {paid.Count} of {send.Items.Count} URLs"));
        return new SendOutcome(200, Outcomes.Mixed, null, $"task {taskId}: {paid.Count} URLs, {left} credits left", Elapsed(), Pace.Success,
            PerUrl: perUrl, UnitsUsed: paid.Count, Cost: paid.Count * price, Awaiting: taskId, Balance: left, BalanceLow: low || left < LowBalanceOf(send.Credential));
    }

    public async Task<ReportPoll> PollAsync(ChannelPoll poll, CancellationToken cancellationToken)
    {
        var (task, answer) = await client.StatusAsync(poll.Secret, Service, poll.Token, cancellationToken);
        if (task is null)
            return new ReportPoll(false, null, answer.Ok ? $"task {poll.Token} is not in the vendor's status answer" : answer.Describe, Failed: !answer.Ok);
        if (!task.Completed)
            return new ReportPoll(false, null, $"task {task.Id}: {task.Processed} of {task.Size} processed");
        var (report, full) = await client.FullReportAsync(poll.Secret, Service, poll.Token, cancellationToken);
        return report is null
            ? new ReportPoll(false, null, $"task {task.Id} is done; its report could not be read: {full.Describe}", Failed: true)
            : new ReportPoll(true, MapReport(task.Id, report, poll.Items, Service == VendorService.Checker ? PriceOf(poll.Credential) : null),
                $"task {task.Id}: {report.Indexed.Count} indexed, {report.Unindexed.Count} not");
    }

    public async Task<Reconciliation?> ReconcileAsync(ChannelSend send, DateTimeOffset reservedAt, CancellationToken cancellationToken)
    {
        var (task, listed) = await client.FindByTitleAsync(send.Secret, Service, send.BatchId, reservedAt.AddHours(-1), cancellationToken);
        if (task is null && !listed.Ok)
            return null; // the list could not be read: the outcome stays unknown
        // A task holds the URLs the balance paid for, the first of the request: those it has; none when there is no task.
        var taken = task is null ? 0 : Math.Min(task.Size, send.Items.Count);
        return new Reconciliation(send.Items.Select((item, i) => (item, i)).ToDictionary(x => x.item.UrlHash, x => x.i < taken),
            task?.Id, PriceOf(send.Credential));
    }

    /// <summary>
    /// A task's report, URL by URL, as index-check verdicts: indexed; <c>error_code</c> −1 → blocked (noindex); 404/410 →
    /// blocked (http-not-found); another 4xx → blocked (http-error); none, a redirect or a 5xx → missed (one look proves
    /// nothing); a URL the report leaves out → unknown.
    /// </summary>
    internal static Dictionary<string, UrlVerdict> MapReport(string taskId, VendorReport report, IReadOnlyList<LedgerItem> items, decimal? cost)
    {
        var indexed = report.Indexed.Select(Key).ToHashSet(StringComparer.Ordinal);
        var unindexed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (url, code) in report.Unindexed)
            unindexed.TryAdd(Key(url), code);
        var source = $"vendor task {taskId}";
        return items.ToDictionary(i => i.UrlHash, i =>
        {
            var key = Key(i.Url);
            if (indexed.Contains(key))
                return new UrlVerdict(Outcomes.Accepted, null, $"{source}: indexed", IndexVerdicts.Indexed, cost);
            if (!unindexed.TryGetValue(key, out var code))
                return new UrlVerdict(Outcomes.Accepted, null, $"{source}: not in the report", IndexVerdicts.Unknown, cost);
            return code switch
            {
                -1 => new UrlVerdict(Outcomes.Accepted, FailureReasons.Noindex, $"{source}: the page says noindex (error_code -1)", IndexVerdicts.Blocked, cost),
                404 or 410 => new UrlVerdict(Outcomes.Accepted, FailureReasons.HttpNotFound, $"{source}: the page answered HTTP {code}", IndexVerdicts.Blocked, cost),
                >= 400 and < 500 => new UrlVerdict(Outcomes.Accepted, FailureReasons.HttpError, $"{source}: the page answered HTTP {code}", IndexVerdicts.Blocked, cost),
                0 => new UrlVerdict(Outcomes.Accepted, null, $"{source}: not indexed (error_code 0)", IndexVerdicts.Missed, cost),
                _ => new UrlVerdict(Outcomes.Accepted, null, $"{source}: not indexed, the page answered HTTP {code}", IndexVerdicts.Missed, cost),
            };
        });
    }

    private static string Key(string url) => UrlNormalizer.TryNormalize(url, out var normalized, out _) ? normalized.Value : url;

    private long LowBalanceOf(CredentialView credential) => credential.Scope.LowBalance ?? options.Value.LowBalance;

    /// <summary>No credits left: the account is paused (parked) until its balance is read again; its URLs wait.</summary>
    private SendOutcome Paused(ChannelSend send, long credits, long elapsed)
    {
        var until = time.GetUtcNow() + options.Value.BalanceRecheck;
        return new SendOutcome(200, Outcomes.Deferred, null,
            $"{Descriptor.Name} account {send.Credential.Fingerprint}: balance too low ({credits} credits); paused until a top-up (read again at {until:u})",
            elapsed, Pace.Park, ParkUntil: until, Balance: credits, BalanceLow: true);
    }

    private SendOutcome Failed(VendorAnswer answer, long elapsed) =>
        answer.KeyRefused ? Refused(answer, elapsed) : new SendOutcome(answer.Status, Outcomes.Deferred, null, $"balance not read: {answer.Describe}", elapsed, Pace.Failure);

    private static SendOutcome Refused(VendorAnswer answer, long elapsed) =>
        new(answer.Status, Outcomes.Refused, FailureReasons.KeyInvalid, $"the vendor refused the API key: {answer.Describe}", elapsed, Pace.CredentialInvalid);
}

/// <summary>The vendor's indexer: the submission channel for hosts no key covers (the fallback), and for recovery.</summary>
internal sealed class VendorChannel(VendorClient client, TimeProvider time, IOptions<VendorOptions> options) : VendorChannelBase(client, time, options)
{
    public const string Name = "vendor";

    public override ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Submit, CredentialKinds.Vendor, "Googlebot", VendorOptions.MaxUrlsPerTask);

    protected override VendorService Service => VendorService.Indexer;

    protected override decimal PriceOf(CredentialView credential) => credential.Scope.CostPerUrl ?? Settings.CostPerUrl;
}

/// <summary>The vendor's checker: an index-status provider for any host, asked after the free checkers (it costs per URL and takes hours).</summary>
internal sealed class VendorCheckerChannel(VendorClient client, TimeProvider time, IOptions<VendorOptions> options) : VendorChannelBase(client, time, options)
{
    public const string Name = "vendor-checker";

    public override ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Check, CredentialKinds.Vendor, "Googlebot", VendorOptions.MaxUrlsPerTask,
        ReportsLater: true);

    protected override VendorService Service => VendorService.Checker;

    protected override decimal PriceOf(CredentialView credential) => credential.Scope.CostPerCheck ?? Settings.CostPerCheck;
}
