using System.Collections.Concurrent;
using System.Diagnostics;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Storage.Tests;

public sealed class SqliteCrashTests
{
    [Fact]
    public async Task AProcessKilledMidWrite_LeavesNoPartialBatch_AndLosesNoAcknowledgedAppend()
    {
        await using var temp = TempFolder.Create("backlink-crash-");
        var folder = temp.Path;
        var path = Path.Combine(folder, "crash.db");
        var acknowledged = new ConcurrentDictionary<string, long>();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepositoryLayout.OutputOf("tests/BacklinkOrleans.Storage.CrashWriter", "BacklinkOrleans.Storage.CrashWriter"), path },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var child = Process.Start(start)!;
        var enough = new TaskCompletionSource();
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Split(' ') is ["ack", var stream, var version])
            {
                acknowledged.AddOrUpdate(stream, long.Parse(version), (_, old) => Math.Max(old, long.Parse(version)));
                if (acknowledged.Values.Sum() > 3_000)
                    enough.TrySetResult();
            }
        };
        child.BeginOutputReadLine();
        var stderr = child.StandardError.ReadToEndAsync();

        var finished = await Task.WhenAny(enough.Task, child.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.True(enough.Task.IsCompleted, $"the writer did not get going: {(child.HasExited ? await stderr : "timed out")}");
        child.Kill(entireProcessTree: true); // SIGKILL while appends are in flight
        await child.WaitForExitAsync();
        child.WaitForExit(); // drain the output events of acks printed before the kill

        var database = new SqliteDatabase(path);
        await using var store = new SqliteEventStore(database, [], TimeProvider.System, new EventStoreOptions(), NullLogger<SqliteEventStore>.Instance);
        var report = await store.VerifyAsync();
        Assert.True(report.IsIntact, string.Join("; ", report.Violations));

        foreach (var (stream, ackedVersion) in acknowledged)
        {
            var events = await store.ReadStreamAsync(stream);
            Assert.True(events.Count % 5 == 0, $"{stream} holds {events.Count} events: a partial batch survived");
            Assert.True(events.Count >= ackedVersion, $"{stream} was acknowledged at version {ackedVersion} but holds {events.Count}");
        }

        await using var connection = await database.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string)(await check.ExecuteScalarAsync())!);
    }
}
