using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BacklinkOrleans.SharedKernel.Diagnostics;

/// <summary>
/// The product's one meter and one activity source (OpenTelemetry picks them up by name; the Host exports the meter at
/// <c>/metrics</c> in Prometheus format). Modules declare their instruments on <see cref="Meter"/> where they measure.
/// </summary>
public static class Telemetry
{
    public const string Name = "BacklinkOrleans";

    public static readonly Meter Meter = new(Name, "1.0");

    public static readonly ActivitySource Activities = new(Name, "1.0");

    /// <summary>Event-store commits: events per commit.</summary>
    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram<int>("backlink.eventstore.batch_size", "{event}",
        "Events written by one group commit.");

    /// <summary>Event-store commits: how long each took (decide, write, project, commit).</summary>
    public static readonly Histogram<double> CommitLatency = Meter.CreateHistogram<double>("backlink.eventstore.commit_latency", "ms",
        "Duration of one group commit.");
}
