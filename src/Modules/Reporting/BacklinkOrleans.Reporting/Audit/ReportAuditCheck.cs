using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Reporting.Reports;
using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Reporting.Audit;

/// <summary>
/// The report read model equals a replay: every backlink stream folded from its first event gives the stored facts, and
/// no stored facts lack a stream. A stream with events past the subscription's checkpoint is not compared (the
/// subscription has not handled them yet; exact on SQLite, whose positions are commit order).
/// </summary>
internal sealed class ReportAuditCheck(EventTypeRegistry registry, ReportQueries queries, SharedKernel.Subscriptions.SubscriptionRunner runner) : IAuditCheck
{
    private readonly Dictionary<(string Tenant, string Hash), ReportFacts> replayed = [];
    private readonly Dictionary<(string Tenant, string Hash), long> lastPosition = [];
    private LogCursor? checkpoint;

    public string Name => "report-read-model";

    public string Rule => "The report read model equals a replay of every backlink's stream.";

    public void Observe(StoredEvent stored)
    {
        if (!BacklinkStreams.Is(stored.StreamId))
            return;
        var key = BacklinkStreams.Key(stored.StreamId);
        replayed.TryGetValue(key, out var facts);
        lastPosition[key] = stored.Position;
        if (ReportFacts.Apply(facts, (IBacklinkEvent)registry.Deserialize(stored)) is { } next)
            replayed[key] = next;
    }

    public async Task<IReadOnlyList<AuditViolation>> FinishAsync(CancellationToken cancellationToken)
    {
        checkpoint ??= await runner.CheckpointAsync(ReportProjection.SubscriptionName, cancellationToken);
        var stored = await queries.AllFactsAsync(cancellationToken);
        var violations = new List<AuditViolation>();
        foreach (var (key, facts) in replayed.OrderBy(r => r.Key))
        {
            if (lastPosition[key] > checkpoint.Value.Position)
                continue; // the subscription has not reached this backlink's latest events yet
            var stream = BacklinkStreams.Id(key);
            if (!stored.TryGetValue(key, out var json))
                violations.Add(new AuditViolation(Name, stream, null, "the report read model has no row for this backlink"));
            else if (ReportJson.Write(ReportJson.Read(json)) != ReportJson.Write(facts))
                violations.Add(new AuditViolation(Name, stream, null, $"stored report facts differ from the replay: stored {json}, replayed {ReportJson.Write(facts)}"));
        }
        foreach (var key in stored.Keys.Where(k => !replayed.ContainsKey(k)).Order())
            violations.Add(new AuditViolation(Name, BacklinkStreams.Id(key), null, "the report read model has a row for a backlink with no events"));
        return violations;
    }
}
