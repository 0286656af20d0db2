using System.Data.Common;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// Connections to the database that holds the read models (the same database as the event log). Modules query
/// their own tables through it; SQL they share between dialects uses @names, ON CONFLICT and integer times.
/// </summary>
public interface IReadModelDatabase
{
    SqlDialect Dialect { get; }

    Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);
}
