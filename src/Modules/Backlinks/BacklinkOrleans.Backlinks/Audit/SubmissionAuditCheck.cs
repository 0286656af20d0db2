using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Backlinks.Audit;

/// <summary>
/// What a backlink's history may show of its submissions: no channel accepted the URL twice within 24 hours, and no more
/// than 1 + its campaign's recovery limit acceptances in all (counted from the last retry a user asked for).
/// </summary>
internal sealed class SubmissionAuditCheck(EventTypeRegistry registry) : IAuditCheck
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private readonly Dictionary<string, int> recoveryLimits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backlink> backlinks = new(StringComparer.Ordinal);
    private readonly List<AuditViolation> violations = [];

    private sealed class Backlink(int limit)
    {
        public int Limit { get; } = limit;
        public int Accepted { get; set; }
        public Dictionary<string, DateTimeOffset> LastByChannel { get; } = new(StringComparer.Ordinal);
    }

    public string Name => "submissions";

    public string Rule => "No URL accepted twice by one channel within 24 h, nor more often than 1 + its campaign's recovery limit.";

    public void Observe(StoredEvent stored)
    {
        if (stored.StreamId.StartsWith(StreamIds.CampaignPrefix, StringComparison.Ordinal) && stored.Type == "campaign.created.v1")
        {
            var created = (CampaignCreated)registry.Deserialize(stored);
            recoveryLimits[$"{created.Tenant}/{created.CampaignId}"] = created.Settings.RecoveryLimit;
            return;
        }
        if (!stored.StreamId.StartsWith(StreamIds.BacklinkPrefix, StringComparison.Ordinal)
            || stored.Type is not ("backlink.collected.v1" or "backlink.submission-attempted.v1" or "backlink.retry-requested.v1"))
            return;
        switch (registry.Deserialize(stored))
        {
            case BacklinkCollected c:
                backlinks[stored.StreamId] = new Backlink(recoveryLimits.GetValueOrDefault($"{c.Tenant}/{c.CampaignId}", 1));
                break;
            case RetryRequested when backlinks.TryGetValue(stored.StreamId, out var retried):
                retried.Accepted = 0;
                break;
            case SubmissionAttempted { Accepted: true, Withdrawal: false } a when backlinks.TryGetValue(stored.StreamId, out var b):
                if (b.LastByChannel.TryGetValue(a.Channel, out var last) && a.At - last < Day)
                    violations.Add(new AuditViolation(Name, stored.StreamId, stored.Version,
                        $"{a.Channel} accepted the URL again {(a.At - last).TotalHours:0.#} h after it last did (at most once per 24 h)"));
                b.LastByChannel[a.Channel] = a.At;
                if (++b.Accepted > 1 + b.Limit)
                    violations.Add(new AuditViolation(Name, stored.StreamId, stored.Version,
                        $"accepted {b.Accepted} times, more than 1 + the recovery limit of {b.Limit}"));
                break;
        }
    }

    public Task<IReadOnlyList<AuditViolation>> FinishAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AuditViolation>>(violations);
}
