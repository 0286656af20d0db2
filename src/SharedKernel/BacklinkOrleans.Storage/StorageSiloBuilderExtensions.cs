using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Orleans;
using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.Hosting;

namespace BacklinkOrleans.Storage;

public static class StorageSiloBuilderExtensions
{
    /// <summary>The grain storage provider for plain grain state (quota ledgers and the like).</summary>
    public const string GrainStateStorage = BacklinkOrleans.SharedKernel.GrainStorage.State;

    /// <summary>
    /// Registers the event store, the "CustomStorage" log-consistency provider, grain storage and the reminder
    /// table of the chosen profile. Embedded: our SQLite implementations. Cluster: our PostgreSQL event store and
    /// Orleans' ADO.NET providers (grain storage, reminders, and membership) on our own schema.
    /// </summary>
    public static ISiloBuilder AddBacklinkStorage(this ISiloBuilder silo, StorageSettings settings)
    {
        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EventStoreOptions { ChainKey = sp.GetService<IEventChainKeySource>()?.Key });
        services.TryAddSingleton<EventTypeRegistry>();
        services.AddSingleton(settings);

        if (settings.IsCluster)
        {
            var connectionString = settings.PostgresConnectionString!;
            var budget = settings.PostgresBudget;
            services.AddSingleton(budget);
            services.AddSingleton(sp => new PostgresDatabase(connectionString, budget.Store) { ModuleAssemblies = ModuleAssemblies(sp) });
            services.AddSingleton<IBacklinkDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<IReadModelDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<GroupCommitEventStore, PostgresEventStore>();
            // Orleans' providers pool their own connections: capped at their share of the budget.
            var orleans = budget.ForOrleans(connectionString);
            silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = orleans; });
            silo.AddAdoNetGrainStorage(GrainStateStorage, o => { o.Invariant = "Npgsql"; o.ConnectionString = orleans; });
            silo.UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = orleans; });
        }
        else
        {
            services.AddSingleton(sp => new SqliteDatabase(settings.SqlitePath) { ModuleAssemblies = ModuleAssemblies(sp), WriterNice = settings.SqliteWriterNice });
            services.AddSingleton<IBacklinkDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<IReadModelDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<GroupCommitEventStore, SqliteEventStore>();
            services.AddGrainStorage(GrainStateStorage, (sp, name) => ActivatorUtilities.CreateInstance<SqliteGrainStorage>(sp, name));
            silo.AddReminders();
            services.AddSingleton<IReminderTable, SqliteReminderTable>();
        }
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<GroupCommitEventStore>());
        return silo;
    }

    private static IReadOnlyList<System.Reflection.Assembly> ModuleAssemblies(IServiceProvider services) =>
        services.GetServices<MigrationSource>().Select(s => s.Assembly).Distinct().ToList();
}
