using System.Reflection;

namespace BacklinkOrleans.Storage.Migrations;

/// <summary>One versioned schema script, embedded as <c>migrations/{Dialect}/{NNNN}_{name}.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public static IReadOnlyList<Migration> For(string dialectFolder)
    {
        var assembly = typeof(Migration).Assembly;
        var prefix = $"migrations/{dialectFolder}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => Load(assembly, n, n[prefix.Length..^".sql".Length]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration Load(Assembly assembly, string resource, string fileName)
    {
        var underscore = fileName.IndexOf('_');
        if (underscore < 0 || !int.TryParse(fileName[..underscore], out var version))
            throw new InvalidOperationException($"Migration '{resource}' must be named NNNN_name.sql.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new Migration(version, fileName[(underscore + 1)..], reader.ReadToEnd());
    }
}
