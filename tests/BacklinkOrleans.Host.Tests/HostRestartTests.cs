using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>A full Host restart loses nothing: not an event, not grain state, not a reminder.</summary>
public sealed class HostRestartTests
{
    [Fact]
    public Task EmbeddedProfile_KeepsEventsStateAndRemindersAcrossARestart() => RestartKeepsEverything(postgres: null);

    [Fact]
    public async Task ClusterProfile_KeepsEventsStateAndRemindersAcrossARestart() =>
        await RestartKeepsEverything(await TestPostgres.CreateDatabaseAsync("restart"));

    private static async Task RestartKeepsEverything(string? postgres)
    {
        await using var temp = TempFolder.Create("backlink-host-");
        var folder = temp.Path;
        var settings = new HostProcess.Settings(folder, postgres);
        int ticksBeforeStop;
        await using (var host = await HostProcess.StartAsync(settings))
        {
            var touched = await host.TouchAsync("restart", "before");
            Assert.Equal(["before"], touched.Notes);
            Assert.Equal(1, touched.StateWrites);
            Assert.True(touched.ReminderRegistered);
            ticksBeforeStop = (await host.WaitForAsync("restart", r => r.ReminderTicks >= 1, "a reminder tick")).ReminderTicks;
            Assert.Equal(0, await host.StopAsync());
        }

        await using (var host = await HostProcess.StartAsync(settings))
        {
            var after = await host.ProbeAsync("restart");
            Assert.Equal(["before"], after.Notes);
            Assert.Equal(1, after.StateWrites);
            Assert.True(after.ReminderTicks >= ticksBeforeStop);

            // The reminder row survived: it goes on ticking in the new process.
            await host.WaitForAsync("restart", r => r.ReminderTicks > ticksBeforeStop, "a tick after the restart");
            var again = await host.TouchAsync("restart", "after");
            Assert.Equal(["before", "after"], again.Notes);
            Assert.Equal(2, again.StateWrites);
        }
        if (postgres is null)
            Assert.True(File.Exists(Path.Combine(folder, "data", "backlinks.db")), "the embedded profile keeps its data under data/");
    }
}
