namespace BacklinkOrleans.Backlinks;

/// <summary>Scheduling of the lifecycle (section "Backlinks").</summary>
public sealed class BacklinkOptions
{
    /// <summary>How often the sweeper re-drives overdue backlinks (not below Orleans' minimum reminder period).</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many overdue backlinks one sweep claims at a time.</summary>
    public int SweepBatch { get; set; } = 500;

    /// <summary>How long a claimed backlink is left alone before another sweep may claim it again.</summary>
    public TimeSpan SweepLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many backlinks a sweep drives at once.</summary>
    public int SweepParallelism { get; set; } = 16;

    /// <summary>When a step's port is not bound (its module is not installed), look again after this long.</summary>
    public TimeSpan UnboundPortRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When a port fails unexpectedly, look again after this long.</summary>
    public TimeSpan PortErrorRetry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Waits at least this long get the 'followup' reminder; shorter ones are left to the sweeper.</summary>
    public TimeSpan ReminderThreshold { get; set; } = TimeSpan.FromMinutes(10);
}
