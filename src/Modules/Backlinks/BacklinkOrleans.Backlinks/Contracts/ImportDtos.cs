namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>Why one imported row was rejected. Rows count as a spreadsheet shows them (a CSV header is row 1).</summary>
public sealed record ImportRowError(long Row, string Field, string Reason);

/// <summary>The answer to an import: counts, every rejected row (up to <see cref="ImportResult.MaxErrors"/>), and notes.</summary>
public sealed record ImportResult(
    long Rows,
    long Accepted,
    long Duplicate,
    long Rejected,
    IReadOnlyList<ImportRowError> Errors,
    bool ErrorsTruncated,
    IReadOnlyList<string> QueuedSitemaps,
    string? Aborted,
    IReadOnlyList<string> Notes)
{
    public const int MaxErrors = 10_000;
}
