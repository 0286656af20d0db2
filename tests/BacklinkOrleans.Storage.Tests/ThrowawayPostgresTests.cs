using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>The throwaway servers' folders do not pile up: what a dead test process left behind goes, a live one's stays.</summary>
public sealed class ThrowawayPostgresTests
{
    [Fact]
    public async Task LeftoverFolders_AreRemoved_ButNotThoseOfALiveProcessOrJustBeingMade()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        string Folder(string name)
        {
            var path = Path.Combine(Path.GetTempPath(), $"{ThrowawayPostgres.FolderPrefix}{name}-{id}");
            Directory.CreateDirectory(Path.Combine(path, "base"));
            File.WriteAllText(Path.Combine(path, "base", "1"), "data");
            return path;
        }
        var abandoned = Folder("abandoned");
        File.WriteAllText(ThrowawayPostgres.OwnerFile(abandoned), ""); // its owner is gone: nobody holds the lock
        var old = Folder("old"); // from before owner files, hours ago
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        var fresh = Folder("fresh"); // no owner file yet: being made right now
        var live = Folder("live");
        var owner = new FileStream(ThrowawayPostgres.OwnerFile(live), FileMode.Create, FileAccess.Write, FileShare.None);
        try
        {
            await ThrowawayPostgres.RemoveLeftoversAsync();

            Assert.False(Directory.Exists(abandoned));
            Assert.False(File.Exists(ThrowawayPostgres.OwnerFile(abandoned)));
            Assert.False(Directory.Exists(old));
            Assert.True(File.Exists(Path.Combine(fresh, "base", "1")));
            Assert.True(File.Exists(Path.Combine(live, "base", "1")));
        }
        finally
        {
            await owner.DisposeAsync();
            foreach (var path in new[] { abandoned, old, fresh, live })
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                File.Delete(ThrowawayPostgres.OwnerFile(path));
            }
        }
    }
}
