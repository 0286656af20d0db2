using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>The embedded profile's data folder and database files are readable by their owner only.</summary>
public sealed class SqliteFilePermissionTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task ANewDataFolder_AndItsDatabase_WalAndSharedMemory_AreTheOwnersOnly()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix file modes
        await using var temp = TempFolder.Create("backlink-modes-");
        var folder = Path.Combine(temp.Path, "data");
        var path = Path.Combine(folder, "backlinks.db");

        using (var database = new SqliteDatabase(path))
        {
            await database.MigrateAsync(NullLogger.Instance); // writes: the WAL and shared-memory files exist now
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
                Assert.Equal((file, OwnerReadWrite), (file, File.GetUnixFileMode(file)));
            Assert.True(File.Exists(path + "-wal"));
        }
    }
}
