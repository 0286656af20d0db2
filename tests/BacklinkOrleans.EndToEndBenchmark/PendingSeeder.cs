using BacklinkOrleans.Backlinks;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>
/// Writes N submitted backlinks straight into a migrated database through the event store and the Backlinks module's
/// inline projections — the events the pipeline would have written — without running the pipeline. A share is due
/// within minutes; the rest wait hours to days for their first check.
/// </summary>
internal static class PendingSeeder
{
    public const string Tenant = "pending";
    public const string Campaign = "pending-campaign";

    public static async Task SeedAsync(string? postgres, string sqlitePath, int count, double dueFraction)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddBacklinks(new ConfigurationBuilder().Build());
        services.AddSingleton(new EventStoreOptions());
        if (postgres is not null)
        {
            services.AddSingleton(new PostgresDatabase(postgres));
            services.AddSingleton<GroupCommitEventStore, PostgresEventStore>();
        }
        else
        {
            services.AddSingleton(new SqliteDatabase(sqlitePath));
            services.AddSingleton<GroupCommitEventStore, SqliteEventStore>();
        }
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<GroupCommitEventStore>();
        var registry = provider.GetRequiredService<EventTypeRegistry>();
        var now = DateTimeOffset.UtcNow;

        var settings = new CampaignSettings("Pending follow-ups", "Bench", ["indexnow"], 1, [TimeSpan.FromHours(1), TimeSpan.FromDays(1)], TimeSpan.FromDays(30), 50);
        await store.AppendAsync($"campaign/{Tenant}/{Campaign}", 0,
            [registry.ToEventData(new CampaignCreated(Guid.NewGuid(), Tenant, Campaign, settings, now))]);

        var due = (int)(count * dueFraction);
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 2_000 }, async (i, _) =>
        {
            var url = UrlNormalizer.Normalize($"https://pending-{i % 1000:000}.example/post/{i}");
            var at = now.AddMinutes(-5);
            // the first check: within the first two minutes of the run for the due share, else 1 h to 7 d away
            var check = i < due ? now.AddSeconds(30 + i % 90) : now.AddHours(1 + i % 167);
            IDomainEvent[] events =
            [
                new BacklinkCollected(Guid.NewGuid(), Tenant, url.Sha256, url.Value, url.Host, Campaign, null, null, null, 50, at),
                new BacklinkRouted(Guid.NewGuid(), ["indexnow"], at),
                new BacklinkValidated(Guid.NewGuid(), "seeded", at),
                new BacklinkSubmitted(Guid.NewGuid(), "indexnow", check, at),
            ];
            var result = await store.AppendAsync($"backlink/{Tenant}/{url.Sha256}", 0, [.. events.Select(e => registry.ToEventData(e))]);
            if (!result.Succeeded)
                throw new InvalidOperationException(result.Detail);
            if (Interlocked.Increment(ref written) % 100_000 == 0)
                Console.WriteLine($"    {written:N0} seeded");
        });
        await store.DisposeAsync();
    }

    /// <summary>Pending backlinks whose stream grew beyond the seeded four events: the Host drove them.</summary>
    public static async Task<long> DrivenAsync(string? postgres, string sqlitePath)
    {
        await using System.Data.Common.DbConnection connection = postgres is not null
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={sqlitePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM streams WHERE stream_id LIKE 'backlink/{Tenant}/%' AND version > 4";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
