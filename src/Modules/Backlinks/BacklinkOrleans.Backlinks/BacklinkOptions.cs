namespace BacklinkOrleans.Backlinks;

/// <summary>Scheduling of the lifecycle (section "Backlinks").</summary>
public sealed class BacklinkOptions
{
    /// <summary>How often each scheduler shard drives its due backlinks (not below Orleans' minimum reminder period).</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many due backlinks a shard claims at a time.</summary>
    public int SweepBatch { get; set; } = 500;

    /// <summary>How long a claimed backlink is left alone before a shard may claim it again (a drive that died).</summary>
    public TimeSpan SweepLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many backlinks a shard drives at once.</summary>
    public int SweepParallelism { get; set; } = 32;

    /// <summary>Scheduler shards: grains that each own 256/Shards of the backlinks and one reminder (1 to 256, a power of two).</summary>
    public int Shards { get; set; } = 16;

    /// <summary>
    /// A step that is due at once is taken by the fast path's self calls; the shards look at it only this long after,
    /// in case the silo died before it could.
    /// </summary>
    public TimeSpan FastPathGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A backlink whose next step is further away than this deactivates: its state is its stream and its row.</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When a step's port is not bound (its module is not installed), look again after this long.</summary>
    public TimeSpan UnboundPortRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many freshly imported backlinks a silo drives at once (route, validate, queue); the rest wait in its
    /// queue, and the shards take over any the silo could not drive within <see cref="FastPathGrace"/>.
    /// </summary>
    public int DriveConcurrency { get; set; } = 512;

    /// <summary>When a port fails unexpectedly, look again after this long.</summary>
    public TimeSpan PortErrorRetry { get; set; } = TimeSpan.FromMinutes(5);
}
