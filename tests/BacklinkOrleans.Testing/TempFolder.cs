namespace BacklinkOrleans.Testing;

/// <summary>
/// A test's own folder under the system's temp directory, removed when disposed. A file that a killed silo or
/// process, or a pooled connection, still holds may resist for a moment: removal is tried for about two seconds,
/// then the folder is left behind, and the test's own outcome stands.
/// (A database in it closes its own pooled connections when disposed: see SqliteDatabase.Dispose.)
/// </summary>
public sealed class TempFolder : IAsyncDisposable
{
    private TempFolder(string path) => Path = path;

    public string Path { get; }

    public static TempFolder Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    /// <summary>A new folder named <paramref name="prefix"/>… under <paramref name="parent"/>.</summary>
    public static TempFolder Create(string prefix, string parent)
    {
        var path = System.IO.Path.Combine(parent, prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return new TempFolder(path);
    }

    /// <summary>Takes charge of a folder that exists already (one left behind by another process).</summary>
    public static TempFolder Adopt(string path) => new(path);

    public async ValueTask DisposeAsync()
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(200);
            }
        }
    }

    public override string ToString() => Path;
}
