namespace BacklinkOrleans.Testing;

/// <summary>Finds the build output of another project of this repository (for tests that start child processes).</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The assembly built by the project in <paramref name="projectFolder"/> (relative to the root), in the same
    /// configuration and target framework as the running test.
    /// </summary>
    public static string OutputOf(string projectFolder, string assemblyName)
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = baseDirectory.Name;
        var configuration = baseDirectory.Parent!.Name;
        var path = Path.Combine(Root, projectFolder, "bin", configuration, framework, assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is not built; build the solution first (dotnet build BacklinkOrleans.sln).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BacklinkOrleans.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"BacklinkOrleans.sln not found above {AppContext.BaseDirectory}.");
    }
}
