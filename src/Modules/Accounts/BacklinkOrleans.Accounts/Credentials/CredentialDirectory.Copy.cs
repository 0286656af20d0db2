using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Accounts.Credentials;

/// <summary>
/// The silo's copy of each tenant's credentials, at the version of the tenant's stream it reflects, and the reads
/// behind it: readers use it for <see cref="CredentialDirectory.CacheFor"/>; a change reads only what it changes.
/// </summary>
internal sealed partial class CredentialDirectory
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset LoadedAt, Task<Rows> Rows)> cache = new(StringComparer.Ordinal);

    private sealed record Row(CredentialView View, string Protected);

    /// <summary>
    /// A tenant's credentials as read once, at the version of its stream they reflect: the same list instance until
    /// they are read again (routing indexes it by instance).
    /// </summary>
    private sealed record Rows(IReadOnlyList<Row> All, IReadOnlyList<CredentialView> Views, IReadOnlySet<string> EnabledChannels, long Version)
    {
        /// <summary>These rows and one more, at the next version (a credential this silo just added).</summary>
        public Rows With(Row added) => new([.. All, added], [.. Views, added.View], EnabledChannels, Version + 1);
    }

    private static async Task<IReadOnlySet<string>> ReadEnabledChannelsAsync(DbConnection connection, TenantId tenant, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        await using var command = connection.Command("SELECT channel FROM tenant_channels WHERE tenant_id = @tenant", transaction).With("tenant", tenant.Value);
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            enabled.Add(reader.GetString(0));
        return enabled;
    }

    /// <summary>
    /// Puts one changed credential (null: removed), as read at version <paramref name="after"/>, into this silo's copy
    /// when that copy is of the version the change was appended at and nothing else came between; else drops the copy.
    /// A change of one credential is then one row read, not a read of all the tenant's.
    /// </summary>
    private void Splice(TenantId tenant, long before, long after, string id, Row? changed)
    {
        if (after == before + 1 && cache.TryGetValue(tenant.Value, out var cached) && cached.Rows.IsCompletedSuccessfully
            && cached.Rows.Result is { Version: var version } rows && version == before)
        {
            var all = changed is null
                ? rows.All.Where(r => r.View.Id != id).ToList()
                : rows.All.Select(r => r.View.Id == id ? changed : r).ToList();
            if (cache.TryUpdate(tenant.Value, (time.GetUtcNow(), Task.FromResult(new Rows(all, [.. all.Select(r => r.View)], rows.EnabledChannels, after))), cached))
                return;
        }
        Forget(tenant);
    }

    private void Forget(TenantId tenant) => cache.TryRemove(tenant.Value, out _);

    /// <summary>
    /// Readers read the tenant's credentials again; an add still decides on this copy while the tenant's stream has
    /// not moved (it reads the stream's version first), so a bulk of adds is not a full read each (a quota grain woken
    /// by each add invalidates its silo's copy).
    /// </summary>
    public void Invalidate(TenantId tenant)
    {
        if (cache.TryGetValue(tenant.Value, out var cached))
            cache.TryUpdate(tenant.Value, (DateTimeOffset.MinValue, cached.Rows), cached);
    }

    private async Task<Rows> RowsAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(tenant.Value, out var cached) && now - cached.LoadedAt < CacheFor && now >= cached.LoadedAt && !cached.Rows.IsFaulted)
            return await cached.Rows;
        var load = LoadAsync();
        cache[tenant.Value] = (now, load);
        return await load;

        Task<Rows> LoadAsync() => ReadAllAsync(tenant, CancellationToken.None);
    }

    /// <summary>The tenant's credentials and enabled channels with the stream version they reflect, read in one database state.</summary>
    private Task<Rows> ReadAllAsync(TenantId tenant, CancellationToken cancellationToken) =>
        database.ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            var version = await ReadStreamHeadAsync(connection, transaction, tenant, ct);
            var rows = await ReadRowsAsync(connection, tenant, ct, transaction);
            var enabled = await ReadEnabledChannelsAsync(connection, tenant, ct, transaction);
            return new Rows(rows, [.. rows.Select(r => r.View)], enabled, version);
        }, cancellationToken);

    /// <summary>
    /// The tenant's credentials as its stream stands now, for a change decided on all of them (an add's uniqueness):
    /// this silo's copy when nothing was appended since it was read (one small read), else all of them read again.
    /// </summary>
    private async Task<Rows> CurrentRowsAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        var version = await database.ReadAsync((connection, ct) => ReadStreamHeadAsync(connection, null, tenant, ct), cancellationToken);
        if (cache.TryGetValue(tenant.Value, out var cached) && cached.Rows.IsCompletedSuccessfully && cached.Rows.Result.Version == version)
            return cached.Rows.Result;
        var rows = await ReadAllAsync(tenant, cancellationToken);
        cache[tenant.Value] = (time.GetUtcNow(), Task.FromResult(rows));
        return rows;
    }

    private static async Task<long> ReadStreamHeadAsync(DbConnection connection, DbTransaction? transaction, TenantId tenant, CancellationToken cancellationToken)
    {
        await using var head = connection.Command("SELECT version FROM streams WHERE stream_id = @stream", transaction).With("stream", StreamOf(tenant));
        return await head.ExecuteScalarAsync(cancellationToken) is { } v and not DBNull ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// The tenant stream's version and the credentials it produced — all, or only <paramref name="onlyId"/> for a
    /// change of one — read together (one read of one database state).
    /// </summary>
    private Task<(long Version, IReadOnlyList<Row> Rows)> ReadStreamHeadAndRowsAsync(TenantId tenant, CancellationToken cancellationToken, string? onlyId = null) =>
        database.ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            var version = await ReadStreamHeadAsync(connection, transaction, tenant, ct);
            var rows = await ReadRowsAsync(connection, tenant, ct, transaction, onlyId);
            return (version, rows);
        }, cancellationToken);

    private static async Task<IReadOnlyList<Row>> ReadRowsAsync(DbConnection connection, TenantId tenant, CancellationToken cancellationToken,
        DbTransaction? transaction = null, string? onlyId = null)
    {
        await using var command = connection.Command(
                $"SELECT {Columns} FROM credentials WHERE tenant_id = @tenant{(onlyId is null ? "" : " AND credential_id = @id")} ORDER BY created_at, credential_id", transaction)
            .With("tenant", tenant.Value);
        if (onlyId is not null)
            command.With("id", onlyId);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var scope = JsonSerializer.Deserialize<CredentialScope>(reader.GetString(2), EventTypeRegistry.JsonOptions)!;
            rows.Add(new Row(new CredentialView(reader.GetString(0), reader.GetString(1), reader.GetString(9), scope, reader.GetString(3), reader.GetString(4),
                reader.GetNullableString(5), UnixTime.FromMicroseconds(reader.GetNullableInt64(6)), UnixTime.FromMicroseconds(reader.GetInt64(7))),
                reader.GetString(8)));
        }
        return rows;
    }
}
