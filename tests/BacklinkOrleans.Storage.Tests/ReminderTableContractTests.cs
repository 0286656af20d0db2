namespace BacklinkOrleans.Storage.Tests;

/// <summary>The reminder table of both profiles: upsert, reads by grain and by ring range, delete by ETag.</summary>
public abstract class ReminderTableContractTests(SiloUnderTest silo)
{
    // Far in the future, so the live silo never tries to deliver these test rows.
    private static readonly DateTime Later = DateTime.UtcNow.Date.AddDays(30);

    private static ReminderEntry Entry(GrainId grain, string name = "followup") => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = Later,
        Period = TimeSpan.FromMinutes(60),
    };

    private static GrainId NewGrain(string prefix = "backlink") => GrainId.Create("remindertest", $"{prefix}/{Guid.NewGuid():N}");

    [Fact]
    public async Task Upsert_ThenReadByGrainAndByName()
    {
        var grain = NewGrain();
        var etag = await silo.Reminders.UpsertRow(Entry(grain, "followup"));
        await silo.Reminders.UpsertRow(Entry(grain, "sweep"));

        var row = await silo.Reminders.ReadRow(grain, "followup");
        Assert.NotNull(row);
        Assert.Equal((grain, "followup", Later, TimeSpan.FromMinutes(60), etag), (row.GrainId, row.ReminderName, row.StartAt, row.Period, row.ETag));
        Assert.Equal(["followup", "sweep"], (await silo.Reminders.ReadRows(grain)).Reminders.Select(r => r.ReminderName).Order());
        Assert.Null(await silo.Reminders.ReadRow(grain, "absent"));
    }

    [Fact]
    public async Task Upsert_ChangesTheETag_AndTheSchedule()
    {
        var grain = NewGrain();
        var first = await silo.Reminders.UpsertRow(Entry(grain));
        var changed = Entry(grain);
        changed.Period = TimeSpan.FromHours(24);
        var second = await silo.Reminders.UpsertRow(changed);

        Assert.NotEqual(first, second);
        var row = await silo.Reminders.ReadRow(grain, "followup");
        Assert.Equal((TimeSpan.FromHours(24), second), (row!.Period, row.ETag));
    }

    [Fact]
    public async Task Remove_NeedsTheCurrentETag()
    {
        var grain = NewGrain();
        var old = await silo.Reminders.UpsertRow(Entry(grain));
        var current = await silo.Reminders.UpsertRow(Entry(grain));

        Assert.False(await silo.Reminders.RemoveRow(grain, "followup", old!));
        Assert.NotNull(await silo.Reminders.ReadRow(grain, "followup"));
        Assert.True(await silo.Reminders.RemoveRow(grain, "followup", current!));
        Assert.Null(await silo.Reminders.ReadRow(grain, "followup"));
        Assert.False(await silo.Reminders.RemoveRow(grain, "followup", current!));
    }

    [Fact]
    public async Task ReadRowsByRange_IsBeginExclusiveEndInclusive_AndWrapsAround()
    {
        var grains = Enumerable.Range(0, 120).Select(_ => NewGrain("range")).ToList();
        foreach (var grain in grains)
            await silo.Reminders.UpsertRow(Entry(grain));
        var hashes = grains.ToDictionary(g => g, g => g.GetUniformHashCode());
        var sorted = hashes.Values.Order().ToList();

        var ranges = new List<(uint Begin, uint End)>
        {
            (sorted[10], sorted[50]),                 // ordinary range, bounds on stored hashes
            (sorted[100], sorted[20]),                // wraps past uint.MaxValue
            (0, uint.MaxValue),
            (uint.MaxValue / 2, uint.MaxValue / 2),   // begin == end: the whole ring
            (sorted[5] - 1, sorted[5]),               // exactly one grain
            (0x7FFF_FFFF, 0x8000_0000),               // across the signed boundary
        };
        foreach (var (begin, end) in ranges)
        {
            var expected = grains.Where(g => InRange(hashes[g], begin, end)).ToHashSet();
            var actual = (await silo.Reminders.ReadRows(begin, end)).Reminders
                .Select(r => r.GrainId).Where(hashes.ContainsKey).ToHashSet();
            Assert.True(expected.SetEquals(actual), $"range ({begin}, {end}]: expected {expected.Count}, got {actual.Count}");
        }
    }

    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}

public sealed class EmbeddedReminderTableTests(EmbeddedSilo silo) : ReminderTableContractTests(silo), IClassFixture<EmbeddedSilo>;

public sealed class ClusterReminderTableTests(ClusterSilo silo) : ReminderTableContractTests(silo), IClassFixture<ClusterSilo>;
