using System.Net;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Messaging;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>
/// Orleans' ADO.NET membership table and gateway list on our PostgreSQL schema, driven directly: table-version
/// compare-and-swap, gateways, defunct-silo cleanup.
/// </summary>
public sealed class MembershipTableTests : IAsyncLifetime
{
    private readonly string clusterId = $"members-{Guid.NewGuid():N}";
    private string connectionString = null!;
    private IHost silo = null!;
    private IMembershipTable table = null!;

    public async Task InitializeAsync()
    {
        connectionString = await TestPostgres.CreateDatabaseAsync("membership");
        await new Postgres.PostgresDatabase(connectionString).MigrateAsync(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(s =>
        {
            s.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            s.AddBacklinkStorage(new StorageSettings(connectionString, Path.GetTempPath()));
        });
        silo = builder.Build(); // never started: the table is driven by the test alone
        table = silo.Services.GetRequiredService<IMembershipTable>();
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
    }

    public Task DisposeAsync()
    {
        silo.Dispose();
        return Task.CompletedTask;
    }

    private static MembershipEntry Silo(int port, SiloStatus status, DateTime aliveAt, int proxyPort = 30000) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        SiloName = $"silo-{port}",
        HostName = "test-host",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = aliveAt,
        IAmAliveTime = aliveAt,
        SuspectTimes = [],
    };

    [Fact]
    public async Task Insert_NeedsTheCurrentTableVersion()
    {
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);

        Assert.True(await table.InsertRowAsync(Silo(11111, SiloStatus.Joining, DateTime.UtcNow), empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Silo(11112, SiloStatus.Joining, DateTime.UtcNow), empty.Version.Next())); // stale version

        var after = await table.ReadAllAsync();
        Assert.Single(after.Members);
        Assert.Equal(empty.Version.Version + 1, after.Version.Version);
    }

    [Fact]
    public async Task Update_NeedsTheCurrentTableVersion_AndKeepsTheRowOtherwise()
    {
        var entry = Silo(11121, SiloStatus.Joining, DateTime.UtcNow);
        var v0 = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(entry, v0.Next()));
        var (stored, etag) = (await table.ReadRowAsync(entry.SiloAddress)).Members.Single();

        stored.Status = SiloStatus.Active;
        var v1 = (await table.ReadAllAsync()).Version;
        Assert.True(await table.UpdateRowAsync(stored, etag, v1.Next()));
        stored.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRowAsync(stored, etag, v1.Next())); // someone else moved the table on

        Assert.Equal(SiloStatus.Active, (await table.ReadRowAsync(entry.SiloAddress)).Members.Single().Item1.Status);
    }

    [Fact]
    public async Task IAmAlive_UpdatesOnlyTheHeartbeat()
    {
        var entry = Silo(11131, SiloStatus.Active, DateTime.UtcNow.AddMinutes(-5));
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var version = (await table.ReadAllAsync()).Version.Version;

        var now = DateTime.UtcNow;
        entry.IAmAliveTime = now;
        await table.UpdateIAmAliveAsync(entry);

        var row = (await table.ReadRowAsync(entry.SiloAddress)).Members.Single().Item1;
        Assert.True(Math.Abs((row.IAmAliveTime - now).TotalMilliseconds) < 1);
        Assert.Equal(version, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Gateways_AreTheActiveSilosWithAProxyPort()
    {
        var now = DateTime.UtcNow;
        foreach (var entry in new[]
        {
            Silo(11141, SiloStatus.Active, now, proxyPort: 30141),
            Silo(11142, SiloStatus.Dead, now, proxyPort: 30142),
            Silo(11143, SiloStatus.Active, now, proxyPort: 0),
        })
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var client = Host.CreateApplicationBuilder();
        client.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            c.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
        });
        using var clientHost = client.Build();
        var gateways = clientHost.Services.GetRequiredService<IGatewayListProvider>();
        await gateways.InitializeGatewayListProvider();

        var listed = await gateways.GetGateways();
        var port = Assert.Single(listed, u => u.Port is >= 30141 and <= 30143).Port;
        Assert.Equal(30141, port);
    }

    [Fact]
    public async Task CleanupDefunct_RemovesOldDeadSilos_AndKeepsLiveOnes()
    {
        var old = DateTime.UtcNow.AddDays(-10);
        var dead = Silo(11151, SiloStatus.Dead, old);
        var alive = Silo(11152, SiloStatus.Active, DateTime.UtcNow);
        await table.InsertRowAsync(dead, (await table.ReadAllAsync()).Version.Next());
        await table.InsertRowAsync(alive, (await table.ReadAllAsync()).Version.Next());

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddDays(-1));

        var addresses = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToList();
        Assert.DoesNotContain(dead.SiloAddress, addresses);
        Assert.Contains(alive.SiloAddress, addresses);
    }
}
