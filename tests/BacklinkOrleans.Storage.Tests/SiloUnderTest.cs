using BacklinkOrleans.Storage.Postgres;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Storage;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>A started in-process silo on one storage profile, to test the providers it resolves.</summary>
public abstract class SiloUnderTest : IAsyncLifetime
{
    private IHost? host;
    private TempFolder folder = null!;

    protected abstract bool Cluster { get; }

    public string ClusterId { get; } = $"test-{Guid.NewGuid():N}";

    public string? PostgresConnectionString { get; private set; }

    public IServiceProvider Services => host!.Services;

    public IGrainStorage GrainStorage => Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStateStorage);

    public IReminderTable Reminders => Services.GetRequiredService<IReminderTable>();

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-silo-");
        PostgresConnectionString = Cluster ? await TestPostgres.CreateDatabaseAsync("providers") : null;
        var settings = new StorageSettings(PostgresConnectionString, folder.Path);
        IBacklinkDatabase database = Cluster ? new PostgresDatabase(PostgresConnectionString!) : new SqliteDatabase(settings.SqlitePath);
        await database.MigrateAsync(NullLogger.Instance);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        builder.UseOrleans(silo =>
        {
            if (Cluster)
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
                silo.Configure<EndpointOptions>(o => (o.AdvertisedIPAddress, o.SiloPort, o.GatewayPort) = (System.Net.IPAddress.Loopback, siloPort, gatewayPort));
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: ClusterId, clusterId: ClusterId);
            }
            silo.AddBacklinkStorage(settings);
        });
        host = builder.Build();
        await host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
        await folder.DisposeAsync();
    }
}

public sealed class EmbeddedSilo : SiloUnderTest
{
    protected override bool Cluster => false;
}

public sealed class ClusterSilo : SiloUnderTest
{
    protected override bool Cluster => true;
}
