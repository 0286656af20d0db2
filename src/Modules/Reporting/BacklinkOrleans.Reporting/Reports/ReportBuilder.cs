using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Reporting.Contracts;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>
/// Aggregates backlinks' facts into a report, one backlink at a time (memory: the time-to-index samples and a few
/// examples per reason). Pure: the same facts give the same report.
/// </summary>
internal sealed class ReportBuilder(ReportScope scope, DateTimeOffset generatedAt, DateTimeOffset? finishedAt)
{
    private const int Examples = 3;
    private long backlinks, indexed, alreadyIndexed, failed, retired, open, checks, droppedOut, missingNow, everMissing, costMicros;
    private readonly long[] reached = new long[ReportFacts.Steps.Count];
    private readonly long[] failedAt = new long[ReportFacts.Steps.Count];
    private readonly Dictionary<string, long> states = new(StringComparer.Ordinal);
    private readonly List<long> timesToIndex = [];
    private readonly Dictionary<(string Reason, string Step), (long Count, SortedSet<string> Examples)> reasons = [];
    private readonly Dictionary<(string Channel, string Credential), long[]> channels = [];
    private readonly HashSet<string> governing = new(scope.Campaigns, StringComparer.Ordinal);

    public void Add(ReportFacts f)
    {
        backlinks++;
        var state = f.Retired ? "retired" : f.State;
        states[state] = states.GetValueOrDefault(state) + 1;
        var furthest = ReportFacts.Rank(f.Furthest);
        for (var i = 0; i <= furthest; i++)
            reached[i]++;
        if (f.Retired)
            retired++;
        else if (f.State == ReportFacts.Indexed)
            indexed++;
        else if (f.State == ReportFacts.Failed)
        {
            failed++;
            var step = f.FailedStep ?? ReportFacts.Collected;
            failedAt[Math.Max(0, ReportFacts.Rank(step))]++;
            var key = (f.FailedReason ?? "unknown", step);
            var (count, examples) = reasons.TryGetValue(key, out var known) ? known : (0, new SortedSet<string>(StringComparer.Ordinal));
            examples.Add(f.Url);
            if (examples.Count > Examples)
                examples.Remove(examples.Max!);
            reasons[key] = (count + 1, examples);
        }
        else
            open++;
        if (f.IndexedAt is not null && f.AlreadyIndexed)
            alreadyIndexed++;
        if (f.TimeToIndexSeconds is { } tti && !f.AlreadyIndexed)
            timesToIndex.Add(tti);
        checks += f.Checks;
        droppedOut += f.DroppedOut > 0 ? 1 : 0;
        missingNow += f.LinkLost ? 1 : 0;
        everMissing += f.LinkMissing > 0 ? 1 : 0;
        if (governing.Contains(f.FirstCampaign))
            costMicros += f.CostMicros;
        foreach (var use in f.Channels)
        {
            var sums = channels.TryGetValue((use.Channel, use.Fingerprint), out var s) ? s : channels[(use.Channel, use.Fingerprint)] = new long[5];
            sums[0]++;
            sums[1] += use.Attempts;
            sums[2] += use.Accepted;
            sums[3] += use.Refused;
            if (use.Accepted > 0 && f.IndexedChannel == use.Channel)
                sums[4]++;
        }
    }

    public CampaignReport Build()
    {
        var funnel = ReportFacts.Steps.Select((step, i) => new FunnelStep(step, reached[i], Share(reached[i], backlinks), failedAt[i])).ToList();
        timesToIndex.Sort();
        var p50 = Percentile(timesToIndex, 50);
        var p90 = Percentile(timesToIndex, 90);
        return new CampaignReport(scope, generatedAt, backlinks, indexed, alreadyIndexed, failed, retired, open,
            Share(indexed, backlinks - retired), funnel,
            [.. states.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new StateCount(s.Key, s.Value))],
            new TimeToIndexSummary(timesToIndex.Count, p50, p90, Describe(p50), Describe(p90)),
            [.. reasons.OrderByDescending(r => r.Value.Count).ThenBy(r => r.Key.Reason, StringComparer.Ordinal).ThenBy(r => r.Key.Step, StringComparer.Ordinal)
                .Select(r => new DropOffReason(r.Key.Reason, r.Key.Step, r.Value.Count, [.. r.Value.Examples]))],
            [.. channels.OrderBy(c => c.Key.Channel, StringComparer.Ordinal).ThenBy(c => c.Key.Credential, StringComparer.Ordinal)
                .Select(c => new ChannelResult(c.Key.Channel, c.Key.Credential, c.Value[0], c.Value[1], c.Value[2], c.Value[3], c.Value[4]))],
            new ChecksSummary(checks, droppedOut, missingNow, everMissing),
            CostKinds.FromMicros(costMicros), finishedAt);
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="p"/> % of the samples at or below it.</summary>
    public static long? Percentile(IReadOnlyList<long> sorted, int p) =>
        sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    private static double Share(long part, long whole) => whole <= 0 ? 0 : Math.Round((double)part / whole, 4);

    private static string? Describe(long? seconds) => seconds is not { } s ? null
        : s < 3600 ? $"{s / 60} min"
        : s < 172_800 ? $"{s / 3600.0:0.#} h"
        : $"{s / 86_400.0:0.#} d";
}
