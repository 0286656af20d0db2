namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>
/// Where a reader of the whole log stands: after the event at <see cref="Position"/> of the committing transaction
/// <see cref="Transaction"/> (PostgreSQL's transaction id; 0 on SQLite, whose one writer commits in position order).
/// </summary>
public readonly record struct LogCursor(long Transaction, long Position)
{
    public static readonly LogCursor Start = new(0, 0);

    public override string ToString() => Transaction == 0 ? $"{Position}" : $"{Transaction}:{Position}";
}

/// <summary>Events of the log after a cursor, in commit-safe order, and the cursor after the last of them.</summary>
public sealed record LogPage(IReadOnlyList<StoredEvent> Events, LogCursor Next);
