namespace BacklinkOrleans.SharedKernel.EventStore;

public enum AppendStatus
{
    /// <summary>The events were stored; <see cref="AppendResult.StreamVersion"/> is the stream's new version.</summary>
    Appended,

    /// <summary>Every event id was already stored in this stream: a retry of an earlier append, nothing written.</summary>
    AlreadyAppended,

    /// <summary>The stream was not at the expected version (another writer won), or an event id is in use elsewhere.</summary>
    Conflict,
}

/// <summary>The answer to one append. A conflict is an answer, not an exception: the caller re-reads and decides.</summary>
public sealed record AppendResult(AppendStatus Status, long StreamVersion, string? Detail = null)
{
    public bool Succeeded => Status != AppendStatus.Conflict;
}
