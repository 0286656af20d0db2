using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BacklinkOrleans.SharedKernel.Diagnostics;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// What this silo's quota grains report after each pump tick, exported as gauges per channel: URLs queued, and per
/// quota window the units used and left (summed over the channel's quotas active here).
/// </summary>
internal sealed class LaneMetrics
{
    private readonly ConcurrentDictionary<string, Snapshot> quotas = new(StringComparer.Ordinal);

    private sealed record Snapshot(string Channel, int Queued, IReadOnlyList<(string Window, int Used, int Limit)> Windows);

    public LaneMetrics()
    {
        Telemetry.Meter.CreateObservableGauge("backlink.lane.queue_depth", () => quotas.Values.GroupBy(s => s.Channel)
            .Select(g => new Measurement<long>(g.Sum(s => (long)s.Queued), new KeyValuePair<string, object?>("channel", g.Key))), "{url}",
            "URLs waiting in the channel's quota grains on this silo.");
        Telemetry.Meter.CreateObservableGauge("backlink.quota.used", () => Windows((used, _) => used), "{unit}",
            "Quota units used in the current window, per channel and window (quotas active on this silo).");
        Telemetry.Meter.CreateObservableGauge("backlink.quota.left", () => Windows((used, limit) => Math.Max(0, limit - used)), "{unit}",
            "Quota units left in the current window, per channel and window (quotas active on this silo).");
    }

    public void Report(string quota, string channel, int queued, IEnumerable<(string Window, int Used, int Limit)> windows) =>
        quotas[quota] = new Snapshot(channel, queued, [.. windows]);

    public void Forget(string quota) => quotas.TryRemove(quota, out _);

    private IEnumerable<Measurement<long>> Windows(Func<int, int, int> value) =>
        quotas.Values.SelectMany(s => s.Windows.Select(w => (s.Channel, w.Window, Value: value(w.Used, w.Limit))))
            .GroupBy(m => (m.Channel, m.Window))
            .Select(g => new Measurement<long>(g.Sum(m => (long)m.Value),
                new KeyValuePair<string, object?>("channel", g.Key.Channel), new KeyValuePair<string, object?>("window", g.Key.Window)));
}
