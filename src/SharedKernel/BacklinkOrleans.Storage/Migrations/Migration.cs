using System.Reflection;

namespace BacklinkOrleans.Storage.Migrations;

/// <summary>One versioned schema script, embedded as <c>migrations/{Dialect}/{NNNN}_{name}.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// The migrations of one dialect embedded in Storage and in <paramref name="moduleAssemblies"/> (modules own
    /// their tables; each takes its own version range). A version used twice is a build mistake and throws.
    /// </summary>
    public static IReadOnlyList<Migration> For(string dialectFolder, IEnumerable<Assembly>? moduleAssemblies = null)
    {
        var prefix = $"migrations/{dialectFolder}/";
        var migrations = new[] { typeof(Migration).Assembly }.Concat(moduleAssemblies ?? []).Distinct()
            .SelectMany(assembly => assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => Load(assembly, n, n[prefix.Length..^".sql".Length])))
            .OrderBy(m => m.Version)
            .ToList();
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Migration version {duplicate.Key:0000} is used by {string.Join(" and ", duplicate.Select(m => m.Name))}.");
        return migrations;
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
