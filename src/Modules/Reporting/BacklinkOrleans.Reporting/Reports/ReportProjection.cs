using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Subscriptions;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>
/// Keeps the report read models from the "reporting" subscription, set-based per batch: the facts of every backlink
/// the batch touches are read in a few statements, folded (<see cref="ReportFacts.Apply"/>), and written back with the
/// memberships and one aggregated delta per campaign counter. It publishes what needs the facts to say: a campaign
/// finished (its last open backlink reached an outcome), a URL dropped out of the index, a link went missing.
/// </summary>
/// <remarks>
/// The facts it wrote are remembered (a bounded cache) while batches follow each other: a batch that does not start
/// where the last one ended (another reader moved the checkpoint, or the last batch rolled back) clears the memory. A
/// backlink whose facts an event leaves unchanged (routing, waits, queueing) is not rewritten.
/// </remarks>
internal sealed class ReportProjection(EventTypeRegistry registry) : ISubscriptionHandler
{
    private readonly RecentCache<(string Tenant, string Hash), (ReportFacts Facts, string Json)> remembered = new(50_000);
    private LogCursor? continuesFrom;

    public const string SubscriptionName = "reporting";
    private const string CampaignPrefix = "campaign/";

    private static readonly System.Diagnostics.Metrics.Counter<long> Submissions = SharedKernel.Diagnostics.Telemetry.Meter.CreateCounter<long>(
        "backlink.submissions", "{request}", "Submission answers recorded on backlinks, by channel and outcome.");

    private static readonly System.Diagnostics.Metrics.Counter<long> Checks = SharedKernel.Diagnostics.Telemetry.Meter.CreateCounter<long>(
        "backlink.checks", "{check}", "Index checks recorded on backlinks, by checker and verdict.");

    public string Subscription => SubscriptionName;

    public int Order => 0;

    public async Task HandleAsync(SubscriptionBatch batch, CancellationToken cancellationToken)
    {
        var db = batch.Database;
        if (continuesFrom != batch.From)
            remembered.Clear();
        continuesFrom = batch.Next;
        var backlinkEvents = batch.Events.Where(e => BacklinkStreams.Is(e.StreamId)).ToList();
        var created = batch.Events.Where(e => e.StreamId.StartsWith(CampaignPrefix, StringComparison.Ordinal) && e.Type == "campaign.created.v1")
            .Select(e => (CampaignCreated)registry.Deserialize(e)).ToList();
        await BulkStatements.InsertAsync(db.Connection, db.Transaction, db.Dialect, "report_campaigns",
            ["tenant_id", "campaign_id", "name", "client", "created_at"],
            [.. created.Select(c => new object?[] { c.Tenant, c.CampaignId, c.Settings.Name, c.Settings.Client, UnixTime.ToMicroseconds(c.At) })],
            "ON CONFLICT (tenant_id, campaign_id) DO NOTHING", cancellationToken);
        if (backlinkEvents.Count == 0)
            return;

        var facts = new Dictionary<(string Tenant, string Hash), ReportFacts>();
        var stored = new Dictionary<(string Tenant, string Hash), string>();
        var toRead = new List<(string Tenant, string Hash)>();
        foreach (var key in backlinkEvents.Select(e => BacklinkStreams.Key(e.StreamId)).Distinct())
        {
            if (remembered.TryGet(key, out var known))
                (facts[key], stored[key]) = known;
            else
                toRead.Add(key);
        }
        foreach (var (key, json) in await LoadAsync(db, toRead, cancellationToken))
            (facts[key], stored[key]) = (ReportJson.Read(json), json);
        var before = facts.ToDictionary(f => f.Key, f => f.Value);
        var changed = new HashSet<(string Tenant, string Hash)>();
        var lastCause = new Dictionary<(string Tenant, string Campaign), StoredEvent>();
        var versions = new Dictionary<(string Tenant, string Hash), long>();
        foreach (var storedEvent in backlinkEvents)
        {
            var key = BacklinkStreams.Key(storedEvent.StreamId);
            var e = (IBacklinkEvent)registry.Deserialize(storedEvent);
            facts.TryGetValue(key, out var current);
            var next = ReportFacts.Apply(current, e);
            if (next is null || ReferenceEquals(next, current))
                continue;
            facts[key] = next;
            versions[key] = storedEvent.Version;
            changed.Add(key);
            foreach (var campaign in next.Campaigns)
                lastCause[(key.Tenant, campaign)] = storedEvent;
            if (e is RecoveryStarted { Reason: FailureReasons.DroppedOut } r)
                batch.Published.Add(PublishedEvent.Of(r.EventId, new UrlDroppedOut(next.Tenant, next.UrlHash, next.Url, next.Campaigns, r.Detail, r.At)));
            if (e is SubmissionAttempted { Withdrawal: false } attempt)
                batch.AfterCommit.Add(() => Submissions.Add(1, new("channel", attempt.Channel), new("outcome", attempt.Outcome ?? (attempt.Accepted ? "accepted" : "refused"))));
            if (e is IndexChecked check)
                batch.AfterCommit.Add(() => Checks.Add(1, new("checker", check.Checker ?? "unknown"), new("verdict", check.EffectiveVerdict)));
            if (e is LinkMissing m)
                batch.Published.Add(PublishedEvent.Of(m.EventId, new LinkMissingDetected(next.Tenant, next.UrlHash, next.Url, next.Campaigns, m.Target, m.Evidence, m.At)));
        }
        if (changed.Count == 0)
            return;

        var deltas = new Dictionary<(string Tenant, string Campaign), CampaignDelta>();
        var joined = new List<object?[]>();
        foreach (var key in changed)
        {
            var after = facts[key];
            before.TryGetValue(key, out var was);
            foreach (var campaign in after.Campaigns)
            {
                var isNew = was is null || !was.Campaigns.Contains(campaign);
                if (isNew)
                    joined.Add([key.Tenant, campaign, key.Hash]);
                var delta = deltas.GetValueOrDefault((key.Tenant, campaign));
                deltas[(key.Tenant, campaign)] = delta.Add(isNew ? null : was, after);
            }
        }

        var rows = new List<object?[]>(changed.Count);
        foreach (var key in changed.Order())
        {
            var json = ReportJson.Write(facts[key]);
            remembered.Set(key, (facts[key], json));
            if (!stored.TryGetValue(key, out var was) || was != json) // equal facts (a record's lists compare by reference) are not rewritten
                rows.Add([key.Tenant, key.Hash, versions[key], json]);
        }
        await BulkStatements.InsertAsync(db.Connection, db.Transaction, db.Dialect, "report_backlinks", ["tenant_id", "url_hash", "version", "facts"],
            rows, "ON CONFLICT (tenant_id, url_hash) DO UPDATE SET version = excluded.version, facts = excluded.facts", cancellationToken);
        await BulkStatements.InsertAsync(db.Connection, db.Transaction, db.Dialect, "report_memberships", ["tenant_id", "campaign_id", "url_hash"],
            joined, "ON CONFLICT (tenant_id, campaign_id, url_hash) DO NOTHING", cancellationToken);
        await ApplyCampaignDeltasAsync(batch, deltas, lastCause, cancellationToken);
    }

    /// <summary>Adds the counters' deltas and publishes a campaign's finish when its open count reaches zero.</summary>
    private static async Task ApplyCampaignDeltasAsync(SubscriptionBatch batch, Dictionary<(string Tenant, string Campaign), CampaignDelta> deltas,
        Dictionary<(string Tenant, string Campaign), StoredEvent> lastCause, CancellationToken cancellationToken)
    {
        var db = batch.Database;
        foreach (var ((tenant, campaign), delta) in deltas.OrderBy(d => d.Key))
        {
            if (delta.IsZero)
                continue;
            await using var command = db.Connection.Command(
                "UPDATE report_campaigns SET backlinks = backlinks + @b, open_now = open_now + @o, indexed = indexed + @i, failed = failed + @f, "
                + "retired = retired + @r WHERE tenant_id = @tenant AND campaign_id = @campaign "
                + "RETURNING name, client, backlinks, open_now, indexed, failed, retired, finished_at", db.Transaction)
                .With("b", delta.Backlinks).With("o", delta.Open).With("i", delta.Indexed).With("f", delta.Failed).With("r", delta.Retired)
                .With("tenant", tenant).With("campaign", campaign);
            string name, client;
            long backlinks, open, indexed, failed, retired;
            bool wasFinished;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                    continue; // a campaign this log does not know (created before reporting existed is impossible: both start at the log's start)
                (name, client, backlinks, open, indexed, failed, retired, wasFinished) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                    reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), !reader.IsDBNull(7));
            }
            var cause = lastCause[(tenant, campaign)];
            var finished = open == 0 && backlinks > 0;
            if (finished == wasFinished)
                continue;
            await using var mark = db.Connection.Command("UPDATE report_campaigns SET finished_at = @at WHERE tenant_id = @tenant AND campaign_id = @campaign", db.Transaction)
                .With("at", finished ? UnixTime.ToMicroseconds(cause.RecordedAt) : null).With("tenant", tenant).With("campaign", campaign);
            await mark.ExecuteNonQueryAsync(cancellationToken);
            if (finished)
                batch.Published.Add(PublishedEvent.Of(cause.EventId,
                    new CampaignFinished(tenant, campaign, name, client, backlinks, indexed, failed, retired, cause.RecordedAt), campaign));
        }
    }

    private static async Task<Dictionary<(string Tenant, string Hash), string>> LoadAsync(ProjectionBatch db, List<(string Tenant, string Hash)> keys,
        CancellationToken cancellationToken)
    {
        var facts = new Dictionary<(string, string), string>();
        foreach (var group in keys.GroupBy(k => k.Tenant))
            foreach (var chunk in BulkStatements.Chunks(group.Select(k => k.Hash).ToList()))
            {
                await using var command = db.Connection.Command("", db.Transaction).With("tenant", group.Key);
                command.CommandText = "SELECT r.url_hash, r.facts " + BulkStatements.TenantRowsByHash(command, db.Dialect, "report_backlinks", "r", chunk);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    facts[(group.Key, reader.GetString(0))] = reader.GetString(1);
            }
        return facts;
    }

    /// <summary>What a batch changes in one campaign's counters.</summary>
    private readonly record struct CampaignDelta(long Backlinks, long Open, long Indexed, long Failed, long Retired)
    {
        public bool IsZero => this == default;

        public CampaignDelta Add(ReportFacts? before, ReportFacts after) => new(
            Backlinks + (before is null ? 1 : 0),
            Open + Of(after.Open) - Of(before?.Open),
            Indexed + Of(Counted(after, ReportFacts.Indexed)) - Of(before is not null && Counted(before, ReportFacts.Indexed)),
            Failed + Of(Counted(after, ReportFacts.Failed)) - Of(before is not null && Counted(before, ReportFacts.Failed)),
            Retired + Of(after.Retired) - Of(before?.Retired));

        private static bool Counted(ReportFacts facts, string state) => !facts.Retired && facts.State == state;

        private static long Of(bool? value) => value == true ? 1 : 0;
    }
}
