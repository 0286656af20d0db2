using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Storage.Tests;

/// <summary>The SQLite writer thread runs at the configured nice value where the process may set it (ADR 0015).</summary>
public sealed class SqliteWriterPriorityTests
{
    [Fact]
    public async Task TheWriterThread_RunsAtTheConfiguredNice_OrTheStartUpLineSaysWhyNot()
    {
        if (!OperatingSystem.IsLinux())
            return; // thread priorities are set on Linux only (the project is built and tested on Linux)
        await using var temp = TempFolder.Create("backlink-nice-");
        using var database = new SqliteDatabase(Path.Combine(temp.Path, "nice.db")) { WriterNice = -3 };

        var said = await database.WriterPriority;

        var writers = WriterThreadNices();
        if (said.Contains("refused", StringComparison.Ordinal))
        {
            Assert.Contains("CAP_SYS_NICE", said); // not privileged: the line says what is needed
            return;
        }
        Assert.Equal("SQLite writer thread at nice -3", said);
        Assert.Contains(-3, writers); // this database's writer, as the kernel schedules it
    }

    [Fact]
    public async Task ANiceOfZero_LeavesTheWriterAtNormalPriority()
    {
        await using var temp = TempFolder.Create("backlink-nice-");
        using var database = new SqliteDatabase(Path.Combine(temp.Path, "nice.db"));

        Assert.Equal("SQLite writer thread at normal priority (Storage:SqliteWriterNice is 0)", await database.WriterPriority);
    }

    /// <summary>The nice value of every thread of this process named "SQLite writer" (field 19 of /proc/…/stat).</summary>
    private static List<int> WriterThreadNices() =>
        [.. Directory.EnumerateDirectories("/proc/self/task")
            .Where(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == "SQLite writer")
            .Select(task => File.ReadAllText(Path.Combine(task, "stat")))
            .Select(stat => int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture))];
}
