using System.Text;

namespace BacklinkOrleans.SharedKernel.Hosting;

/// <summary>Files that hold secrets (the master key, first-run keys): created readable and writable by their owner only.</summary>
public static class OwnerOnlyFile
{
    /// <summary>
    /// A writer of a file created owner-only (mode 0600 where there are Unix modes), its folder created if needed.
    /// <paramref name="mode"/>: <see cref="FileMode.CreateNew"/> to never replace a file, <see cref="FileMode.Create"/> to.
    /// </summary>
    public static StreamWriter Create(string path, FileMode mode, Encoding? encoding = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new StreamWriter(path, encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
    }
}
