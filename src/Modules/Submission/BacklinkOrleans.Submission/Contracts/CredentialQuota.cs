namespace BacklinkOrleans.Submission.Contracts;

/// <summary>
/// One credential's quota as the Quota API shows it: the channel and the quota it spends (<see cref="Scope"/>: an
/// IndexNow key's host, a Google Cloud project), its first window's limit, use, reservations (in flight) and reset,
/// every window with its reset in the window's own zone (<see cref="Windows"/>), the state (ok, pending, backing-off,
/// parked, exhausted, invalid, no-credential, balance-low) and how many URLs wait in its queue; for a paid account, its
/// credits as last read (<see cref="Balance"/>) and the URLs whose report it still owes (<see cref="AwaitingReport"/>).
/// </summary>
public sealed record CredentialQuota(
    string CredentialId,
    string Kind,
    string Label,
    string Scope,
    string Fingerprint,
    int Limit,
    int Used,
    int Reserved,
    int Remaining,
    DateTimeOffset WindowResetsAt,
    string State,
    string? StateDetail,
    DateTimeOffset? BackoffUntil,
    int Queued,
    int BatchSize,
    int AnswersUndelivered,
    string Channel,
    IReadOnlyList<QuotaWindowView> Windows,
    DateTimeOffset? ParkedUntil,
    long? Balance = null,
    int AwaitingReport = 0);
