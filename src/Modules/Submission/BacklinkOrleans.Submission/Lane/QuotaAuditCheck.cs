using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Submission.Channels;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// No quota window was used over its limit: every quota ledger is replayed with its channel's configured limits, and
/// after each answer (settled or unknown) the use of each window is compared with the limit.
/// </summary>
internal sealed class QuotaAuditCheck(EventTypeRegistry registry, ChannelRegistry channels) : IAuditCheck
{
    private readonly Dictionary<string, QuotaLedger> ledgers = new(StringComparer.Ordinal);
    private readonly List<AuditViolation> violations = [];
    private readonly HashSet<(string Stream, string Window, DateTimeOffset Start)> reported = [];

    public string Name => "quota-windows";

    public string Rule => "No quota window (per key, per account, per day or minute) was used over its limit.";

    public void Observe(StoredEvent stored)
    {
        if (!stored.StreamId.StartsWith("quota/", StringComparison.Ordinal) || stored.Type == "quota.snapshot.v1")
            return; // a snapshot repeats what the events before it said
        var parts = stored.StreamId.Split('/', 4);
        if (parts.Length < 4 || channels.Find(parts[2]) is not { } channel)
            return;
        var e = (IQuotaEvent)registry.Deserialize(stored);
        var ledger = QuotaLedger.Evolve(ledgers.GetValueOrDefault(stored.StreamId, QuotaLedger.Empty), e);
        ledgers[stored.StreamId] = ledger;
        if (e is not (QuotaSettled or QuotaOutcomeUnknown))
            return;
        foreach (var limit in channel.Limits)
        {
            var used = ledger.UsedIn(limit.Window, e.At);
            var start = limit.Window.StartOf(e.At);
            if (used > limit.Limit && reported.Add((stored.StreamId, limit.Window.Name, start)))
                violations.Add(new AuditViolation(Name, stored.StreamId, stored.Version,
                    $"{used} units used in the {limit.Window.Name} window from {start:u}, over its limit of {limit.Limit}"));
        }
    }

    public Task<IReadOnlyList<AuditViolation>> FinishAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AuditViolation>>(violations);
}
