using BacklinkOrleans.Benchmarks;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

Options options;
try
{
    options = Options.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine($"BacklinkOrleans storage benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var results = new List<Measurement>();

if (options.Stores is "sqlite" or "both")
{
    await using var folder = TempFolder.Create("backlink-bench-");
    var database = new SqliteDatabase(Path.Combine(folder.Path, "bench.db"));
    await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
    Console.WriteLine($"SQLite   {database.Path} ({SqliteDatabase.DurabilitySettings})");
    await using (var store = new SqliteEventStore(database, [], TimeProvider.System, new EventStoreOptions(), NullLogger<SqliteEventStore>.Instance))
        results.AddRange(Print(await StorageBenchmark.RunAsync("sqlite", store, options)));
}

if (options.Stores is "postgres" or "both")
{
    try
    {
        results.AddRange(Print(await RunPostgresAsync(options)));
    }
    catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or IOException)
    {
        // the figures already measured still count: say why PostgreSQL could not be measured and go on
        Console.Error.WriteLine($"PostgreSQL could not be measured: {e.Message}");
    }
}

Console.WriteLine();
foreach (var group in results.GroupBy(r => r.Store))
{
    var single = group.First().EventsPerSecond;
    var best = group.Skip(1).Max(r => r.EventsPerSecond);
    Console.WriteLine($"{group.Key}: group commit reaches {best:N0} events/s, {best / single:F1}x single appends");
}
return 0;

static IReadOnlyList<Measurement> Print(IReadOnlyList<Measurement> measured)
{
    foreach (var result in measured)
        Console.WriteLine(result);
    return measured;
}

static async Task<IReadOnlyList<Measurement>> RunPostgresAsync(Options options)
{
    await using var server = options.PostgresConnectionString is null ? await ThrowawayPostgres.StartAsync() : null;
    var connectionString = await ThrowawayPostgres.CreateDatabaseAsync(options.PostgresConnectionString ?? server!.ConnectionString, "bench");
    await using var database = new PostgresDatabase(connectionString);
    await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
    Console.WriteLine($"Postgres {(server is null ? "given server" : $"throwaway server on 127.0.0.1:{server.Port}")} ({await database.DescribeDurabilityAsync()})");
    await using var store = new PostgresEventStore(database, [], TimeProvider.System, new EventStoreOptions(), NullLogger<PostgresEventStore>.Instance);
    return await StorageBenchmark.RunAsync("postgres", store, options);
}
