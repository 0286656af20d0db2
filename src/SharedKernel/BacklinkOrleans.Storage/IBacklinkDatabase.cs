using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Storage;

/// <summary>The database of the running profile: migrated at start-up and by the <c>migrate</c> verb, pinged by readiness.</summary>
public interface IBacklinkDatabase
{
    /// <summary>What and where it is, for logs and the readiness answer (never a password).</summary>
    string Description { get; }

    /// <summary>Applies the pending migrations of Storage and of the registered module assemblies.</summary>
    Task<IReadOnlyList<int>> MigrateAsync(ILogger logger, CancellationToken cancellationToken = default);

    /// <summary>Throws when the database cannot answer a trivial query.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
