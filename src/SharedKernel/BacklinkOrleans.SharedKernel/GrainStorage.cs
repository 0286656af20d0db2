namespace BacklinkOrleans.SharedKernel;

/// <summary>The grain storage providers every profile registers (SQLite embedded, ADO.NET PostgreSQL in a cluster).</summary>
public static class GrainStorage
{
    /// <summary>Small per-grain state that is not event-sourced: quota ledgers, probes.</summary>
    public const string State = "grain-state";
}
