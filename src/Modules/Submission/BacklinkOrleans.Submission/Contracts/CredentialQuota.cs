namespace BacklinkOrleans.Submission.Contracts;

/// <summary>
/// One credential's quota as the Quota API shows it: the window's limit, what is used and reserved (in flight), when
/// the window resets, the state (ok, pending, backing-off, exhausted, invalid) and how many URLs wait in its queue.
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
    int AnswersUndelivered);
