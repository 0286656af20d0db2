namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>
/// An inline projection that keeps rows it wrote in memory: when a group commit fails (its transaction rolled back),
/// the store tells it which streams' rows it must read again.
/// </summary>
public interface IProjectionCache
{
    void Forget(IReadOnlyCollection<string> streamIds);
}
