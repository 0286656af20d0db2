using Orleans.Storage;

namespace BacklinkOrleans.Storage.Tests;

[GenerateSerializer]
public sealed class LedgerState
{
    [Id(0)] public int Used { get; set; }
    [Id(1)] public string Window { get; set; } = "";
}

/// <summary>Grain storage of both profiles: read, write, clear, and ETag conflicts that stop a second writer.</summary>
public abstract class GrainStorageContractTests(SiloUnderTest silo)
{
    private const string StateName = "ledger";

    private static GrainId NewGrain() => GrainId.Create("quota", $"acme/{Guid.NewGuid():N}");

    private async Task<GrainState<LedgerState>> ReadAsync(GrainId id)
    {
        var state = new GrainState<LedgerState>();
        await silo.GrainStorage.ReadStateAsync(StateName, id, state);
        return state;
    }

    [Fact]
    public async Task AMissingRecord_ReadsAsDefault()
    {
        var state = await ReadAsync(NewGrain());
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Used);
    }

    [Fact]
    public async Task AWrite_IsReadBack_WithItsETag()
    {
        var id = NewGrain();
        var state = await ReadAsync(id);
        state.State = new LedgerState { Used = 42, Window = "2026-11-24" };
        await silo.GrainStorage.WriteStateAsync(StateName, id, state);

        var read = await ReadAsync(id);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal((42, "2026-11-24"), (read.State!.Used, read.State!.Window));
    }

    [Fact]
    public async Task TwoWritersFromOneETag_TheSecondGetsAConflict_AndTheFirstWriteStands()
    {
        var id = NewGrain();
        var seed = await ReadAsync(id);
        seed.State!.Used = 1;
        await silo.GrainStorage.WriteStateAsync(StateName, id, seed);

        var first = await ReadAsync(id);
        var duplicate = await ReadAsync(id); // a second activation during membership churn
        first.State!.Used = 2;
        await silo.GrainStorage.WriteStateAsync(StateName, id, first);
        duplicate.State!.Used = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.GrainStorage.WriteStateAsync(StateName, id, duplicate));

        Assert.Equal(2, (await ReadAsync(id)).State!.Used);
    }

    [Fact]
    public async Task TwoFirstWrites_OnlyOneCreatesTheRecord()
    {
        var id = NewGrain();
        var a = await ReadAsync(id);
        var b = await ReadAsync(id);
        a.State!.Used = 1;
        b.State!.Used = 2;
        await silo.GrainStorage.WriteStateAsync(StateName, id, a);
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.GrainStorage.WriteStateAsync(StateName, id, b));
        Assert.Equal(1, (await ReadAsync(id)).State!.Used);
    }

    [Fact]
    public async Task Clear_RemovesTheRecord_AStaleClearConflicts_AndWritingAgainWorks()
    {
        var id = NewGrain();
        var state = await ReadAsync(id);
        state.State!.Used = 5;
        await silo.GrainStorage.WriteStateAsync(StateName, id, state);
        var stale = await ReadAsync(id);
        state.State!.Used = 6;
        await silo.GrainStorage.WriteStateAsync(StateName, id, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.GrainStorage.ClearStateAsync(StateName, id, stale));
        await silo.GrainStorage.ClearStateAsync(StateName, id, state);
        Assert.False((await ReadAsync(id)).RecordExists);

        state.State = new LedgerState { Used = 7 };
        await silo.GrainStorage.WriteStateAsync(StateName, id, state);
        Assert.Equal(7, (await ReadAsync(id)).State!.Used);
    }

    [Fact]
    public async Task StateNames_AndGrains_DoNotShareRows()
    {
        var id = NewGrain();
        var other = NewGrain();
        var state = await ReadAsync(id);
        state.State!.Used = 3;
        await silo.GrainStorage.WriteStateAsync(StateName, id, state);

        var otherName = new GrainState<LedgerState>();
        await silo.GrainStorage.ReadStateAsync("another-state", id, otherName);
        Assert.False(otherName.RecordExists);
        Assert.False((await ReadAsync(other)).RecordExists);
    }
}

public sealed class EmbeddedGrainStorageTests(EmbeddedSilo silo) : GrainStorageContractTests(silo), IClassFixture<EmbeddedSilo>;

public sealed class ClusterGrainStorageTests(ClusterSilo silo) : GrainStorageContractTests(silo), IClassFixture<ClusterSilo>;
