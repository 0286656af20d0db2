using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>The docker-compose topology on loopback: several Host processes sharing one PostgreSQL form one cluster.</summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task TwoHostsOnOnePostgres_FormOneCluster_AndShareGrainActivations()
    {
        var postgres = await TestPostgres.CreateDatabaseAsync("cluster");
        await using var temp = TempFolder.Create("backlink-cluster-");
        var folder = temp.Path;
        // Started together: the migrations run under the advisory lock, once.
        var starting = new[] { new HostProcess.Settings(folder, postgres), new HostProcess.Settings(folder, postgres) }
            .Select(HostProcess.StartAsync).ToList();
        await using var a = await starting[0];
        await using var b = await starting[1];

        var readyA = await a.WaitReadyAsync(minimumMembers: 2);
        var readyB = await b.WaitReadyAsync(minimumMembers: 2);
        Assert.Equal("cluster", readyA.Profile);
        Assert.Equal(readyA.Members.Select(m => m.Address), readyB.Members.Select(m => m.Address));
        Assert.Contains(readyA.Members, m => m.Address == readyB.Silo);
        Assert.NotEqual(readyA.Silo, readyB.Silo);

        for (var i = 0; i < 12; i++)
        {
            var (first, second) = i % 2 == 0 ? (a, b) : (b, a);
            var key = $"shared-{i}";
            var touched = await first.TouchAsync(key, "first");
            var seen = await second.ProbeAsync(key);
            Assert.Equal(touched.ActivationId, seen.ActivationId); // found through the other Host, not duplicated
            Assert.Equal(touched.Silo, seen.Silo);
            Assert.Equal(["first"], seen.Notes);
        }
    }
}
