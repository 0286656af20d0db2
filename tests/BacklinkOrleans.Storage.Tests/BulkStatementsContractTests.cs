using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>The set-based statements the read models are written and read with, on both databases.</summary>
public abstract class BulkStatementsContractTests : IAsyncLifetime
{
    private const string Table = "CREATE TABLE bulk_rows (tenant_id text NOT NULL, url_hash text NOT NULL, n bigint NOT NULL, "
        + "note text, at bigint, PRIMARY KEY (tenant_id, url_hash))";

    private static readonly string[] Columns = ["tenant_id", "url_hash", "n", "note", "at"];

    private const string Upsert = "ON CONFLICT (tenant_id, url_hash) DO UPDATE SET n = excluded.n, note = excluded.note, at = excluded.at";

    private readonly List<IReadModelDatabase> created = [];

    protected abstract Task<IReadModelDatabase> OpenDatabaseAsync();

    /// <summary>A migrated database of this dialect, disposed with the test.</summary>
    protected async Task<IReadModelDatabase> CreateDatabaseAsync()
    {
        var database = await OpenDatabaseAsync();
        created.Add(database);
        return database;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var database in created)
        {
            if (database is IAsyncDisposable asynchronous)
                await asynchronous.DisposeAsync();
            else
                (database as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task Insert_WritesEveryRow_NullColumnsAndConflictUpdatesIncluded()
    {
        var database = await CreateDatabaseAsync();
        await ExecuteAsync(database, Table);

        // 2,500 rows: more than one statement's worth of parameters as a VALUES list; "note" and "at" null in every row.
        var first = Enumerable.Range(0, 2_500).Select(i => new object?[] { "t1", $"h{i:D5}", (long)i, null, null }).ToList();
        await database.WriteAsync("test", (c, t, ct) => BulkStatements.InsertAsync(c, t, database.Dialect, "bulk_rows", Columns, first, Upsert, ct).ContinueWith(_ => 0, ct));
        // An upsert of half of them, with some values and some nulls, and int next to long in one column.
        var second = Enumerable.Range(0, 1_250).Select(i => new object?[]
            { "t1", $"h{i * 2:D5}", i % 2 == 0 ? (object)(long)(i + 10_000) : i + 10_000, i % 3 == 0 ? null : $"note {i}", i % 5 == 0 ? null : (long)i * 7 }).ToList();
        await database.WriteAsync("test", (c, t, ct) => BulkStatements.InsertAsync(c, t, database.Dialect, "bulk_rows", Columns, second, Upsert, ct).ContinueWith(_ => 0, ct));

        var rows = await ReadAllAsync(database);
        Assert.Equal(2_500, rows.Count);
        Assert.Equal((1L, (string?)null, (long?)null), rows["h00001"]);
        Assert.Equal((10_000L, (string?)null, (long?)null), rows["h00000"]);
        Assert.Equal((10_001L, "note 1", (long?)7), rows["h00002"]);
        Assert.Equal((10_003L, (string?)null, (long?)21), rows["h00006"]);
        Assert.Equal((10_005L, "note 5", (long?)null), rows["h00010"]);
        Assert.Equal(1_250, rows.Values.Count(r => r.N >= 10_000));
    }

    [Fact]
    public async Task TenantRowsByHash_YieldsTheTenantsRowsWithThoseHashes_AndNoOtherTenants()
    {
        var database = await CreateDatabaseAsync();
        await ExecuteAsync(database, Table);
        var rows = new[] { "t1", "t2" }.SelectMany(tenant => Enumerable.Range(0, 600).Select(i => new object?[] { tenant, $"h{i}", tenant == "t1" ? (long)i : -i, null, null })).ToList();
        await database.WriteAsync("test", (c, t, ct) => BulkStatements.InsertAsync(c, t, database.Dialect, "bulk_rows", Columns, rows, "", ct).ContinueWith(_ => 0, ct));

        var wanted = new[] { "h3", "h599", "h42", "missing", "h3" };
        var found = await database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT r.url_hash, r.n ").With("tenant", "t1");
            command.CommandText += BulkStatements.TenantRowsByHash(command, database.Dialect, "bulk_rows", "r", wanted);
            var result = new List<(string, long)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                result.Add((reader.GetString(0), reader.GetInt64(1)));
            return result;
        });

        Assert.Equal([("h3", 3L), ("h42", 42L), ("h599", 599L)], found.Distinct().Order());
    }

    protected static Task ExecuteAsync(IReadModelDatabase database, string sql) =>
        database.WriteAsync("test", async (connection, transaction, ct) => await connection.Command(sql, transaction).ExecuteNonQueryAsync(ct));

    private static Task<Dictionary<string, (long N, string? Note, long? At)>> ReadAllAsync(IReadModelDatabase database) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT url_hash, n, note, at FROM bulk_rows");
            var rows = new Dictionary<string, (long, string?, long?)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetNullableString(2), reader.GetNullableInt64(3));
            return rows;
        });
}

public sealed class SqliteBulkStatementsTests : BulkStatementsContractTests
{
    private readonly TempFolder folder = TempFolder.Create("backlink-bulk-");

    protected override async Task<IReadModelDatabase> OpenDatabaseAsync()
    {
        var database = new SqliteDatabase(Path.Combine(folder.Path, $"{Guid.NewGuid():N}.db"));
        await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        return database;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await folder.DisposeAsync();
    }
}

public sealed class PostgresBulkStatementsTests : BulkStatementsContractTests
{
    protected override async Task<IReadModelDatabase> OpenDatabaseAsync()
    {
        var database = new PostgresDatabase(await TestPostgres.CreateDatabaseAsync("bulk"));
        await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
        return database;
    }

    /// <summary>
    /// A table that grew since its last ANALYZE (a first import: the statistics say nothing of tenant_id) is read one key
    /// per hash, not through the tenant prefix of an index — which an IN list was, reading every row of the tenant.
    /// </summary>
    [Fact]
    public async Task TenantRowsByHash_OnATableGrownSinceItsLastAnalyze_ReadsOnlyTheProbedRows()
    {
        var database = (PostgresDatabase)await CreateDatabaseAsync();
        await ExecuteAsync(database, "CREATE TABLE grown (tenant_id text NOT NULL, url_hash text NOT NULL, host text NOT NULL, "
            + "PRIMARY KEY (tenant_id, url_hash)) WITH (autovacuum_enabled = false)");
        await ExecuteAsync(database, "CREATE INDEX grown_by_host ON grown (tenant_id, host)");
        await ExecuteAsync(database, "INSERT INTO grown SELECT 'tenant-one', md5(i::text), 'host' || (i % 100) FROM generate_series(1, 20000) i");
        var hashes = Enumerable.Range(1, 300).Select(i => Md5(i * 50)).ToList();

        var probed = await RowsReadAsync(database, command =>
            "SELECT g.url_hash " + BulkStatements.TenantRowsByHash(command, SqlDialect.Postgres, "grown", "g", hashes));
        var inList = await RowsReadAsync(database, command =>
            $"SELECT url_hash FROM grown WHERE tenant_id = @tenant AND url_hash IN ({BulkStatements.InList(command, "h", hashes)})");

        Assert.Equal(20_000, inList); // the hazard is there: the IN list reads the whole tenant
        Assert.Equal(300, probed);
    }

    /// <summary>Rows the plan read from the table "grown" (actual rows × loops of its scans), by EXPLAIN ANALYZE.</summary>
    private static Task<long> RowsReadAsync(PostgresDatabase database, Func<System.Data.Common.DbCommand, string> sql) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("").With("tenant", "tenant-one");
            command.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + sql(command);
            using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(ct))!);
            return Scanned(plan.RootElement[0].GetProperty("Plan"));
        });

    private static long Scanned(JsonElement node)
    {
        var own = node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "grown"
            ? node.GetProperty("Actual Rows").GetInt64() * node.GetProperty("Actual Loops").GetInt64()
            + (node.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetInt64() * node.GetProperty("Actual Loops").GetInt64() : 0)
            + (node.TryGetProperty("Rows Removed by Index Recheck", out var rechecked) ? rechecked.GetInt64() : 0)
            : 0;
        return own + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(Scanned) : 0);
    }

    private static string Md5(int i) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
