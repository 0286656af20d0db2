using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>What a channel does: take URLs for indexing (a submission engine or vendor) or tell whether they are indexed (a checker).</summary>
internal enum ChannelPurpose
{
    Submit,
    Check,
}

/// <summary>
/// A channel's registration: its name (as campaigns name it), purpose, the credential kind it sends with, the
/// crawler whose robots.txt rules apply to it, and the protocol's largest request. With an <see cref="OptInPolicy"/>
/// the channel is off for a tenant until the tenant turns it on, accepting that policy (Google's).
/// </summary>
/// <param name="Withdraws">the channel can be told that a URL it accepted is gone (Google's URL_DELETED): retired URLs are withdrawn</param>
/// <param name="ReportsLater">the service answers hours later (a vendor's task): as a checker, it is asked only when no other covers the URL, never before submission</param>
internal sealed record ChannelDescriptor(string Name, ChannelPurpose Purpose, string CredentialKind, string Crawler, int ProtocolMaxBatch,
    string? OptInPolicy = null, bool Withdraws = false, bool ReportsLater = false);

/// <summary>One request a quota grain sends through a channel.</summary>
internal sealed record ChannelSend(string Tenant, CredentialView Credential, string Secret, string BatchId, IReadOnlyList<LedgerItem> Items);

/// <summary>A request the service took and reports on later (a vendor's task, <paramref name="Token"/> its id): asked how it stands.</summary>
internal sealed record ChannelPoll(string Tenant, CredentialView Credential, string Secret, string BatchId, string Token, IReadOnlyList<LedgerItem> Items);

/// <summary>
/// How a reported request stands: <see cref="Done"/> with each URL's verdict (<see cref="UrlVerdict.Index"/>), or not
/// yet (<see cref="Detail"/> says how far; <see cref="Failed"/>: the service could not be asked now).
/// </summary>
internal sealed record ReportPoll(bool Done, IReadOnlyDictionary<string, UrlVerdict>? PerUrl, string Detail, bool Failed = false);

/// <summary>
/// What the service's own record says of a request whose answer was lost: URL by URL whether it has it, and, for a
/// service that reports later, the token to ask it by; for a paid one, what each URL it has cost.
/// </summary>
internal sealed record Reconciliation(IReadOnlyDictionary<string, bool> Seen, string? Awaiting = null, decimal? CostPerUrl = null);

/// <summary>
/// Everything a channel plugs into the lane (ADR 0013): who it is, which URLs a credential covers (the ownership
/// rule), which quota a credential spends and under which limits, and how one batch is sent and its answer read.
/// The lane does the rest — queue, windows, reservation before sending, backoff, parking, delivery of answers.
/// </summary>
internal interface IChannel
{
    ChannelDescriptor Descriptor { get; }

    /// <summary>The channel's options (its section of configuration).</summary>
    LaneOptions Options { get; }

    /// <summary>The limits of one quota (a window each).</summary>
    IReadOnlyList<QuotaLimit> Limits { get; }

    /// <summary>Whether <paramref name="credential"/> may be used for <paramref name="url"/> (protocols.md's ownership rule).</summary>
    bool Covers(CredentialView credential, NormalizedUrl url);

    /// <summary>
    /// Host names under which the router indexes <paramref name="credential"/>: an exact host, <c>*.example.com</c> for a
    /// whole domain, or <c>*</c> for any host; <see cref="Covers"/> has the last word.
    /// </summary>
    IEnumerable<string> CoverageKeys(CredentialView credential);

    /// <summary>The quota <paramref name="credential"/> spends (a host, a Cloud project, an account).</summary>
    string QuotaKeyOf(CredentialView credential);

    /// <summary>The quota <paramref name="credential"/> spends for <paramref name="url"/>, where that depends on the URL (URL Inspection: per property).</summary>
    string QuotaKeyOf(CredentialView credential, NormalizedUrl url) => QuotaKeyOf(credential);

    /// <summary>Every quota <paramref name="credential"/> may spend (the Quota API shows each).</summary>
    IEnumerable<string> QuotaKeysOf(CredentialView credential) => [QuotaKeyOf(credential)];

    /// <summary>Sends one batch and reads the answer. Never throws for what the service answered or a lost connection.</summary>
    Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken);

    /// <summary>
    /// After a crash: what became of a request whose answer was lost, URL by URL (true: the service has it; false: it
    /// does not), for channels that can ask (Google's metadata, a vendor's task list); null: it cannot be known.
    /// </summary>
    Task<Reconciliation?> ReconcileAsync(ChannelSend send, DateTimeOffset reservedAt, CancellationToken cancellationToken) =>
        Task.FromResult<Reconciliation?>(null);

    /// <summary>
    /// For a channel whose answer names a report to come (<see cref="SendOutcome.Awaiting"/>: a vendor's task): how
    /// that request stands now. Asked by the quota grain on a backoff schedule until it is done.
    /// </summary>
    Task<ReportPoll> PollAsync(ChannelPoll poll, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Descriptor.Name} answers at once; it has no reports to poll.");
}
