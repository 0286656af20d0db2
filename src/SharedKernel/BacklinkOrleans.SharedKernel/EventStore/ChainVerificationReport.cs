namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>One place where the stored log disagrees with its hash chain.</summary>
public sealed record ChainViolation(string StreamId, long? Version, string Problem)
{
    public override string ToString() => Version is null ? $"{StreamId}: {Problem}" : $"{StreamId}@{Version}: {Problem}";
}

/// <summary>The result of recomputing hash chains: empty <see cref="Violations"/> means the log is intact.</summary>
public sealed record ChainVerificationReport(long StreamsChecked, long EventsChecked, IReadOnlyList<ChainViolation> Violations)
{
    public bool IsIntact => Violations.Count == 0;
}
