using System.Runtime.InteropServices;

namespace BacklinkOrleans.Storage.Sqlite;

/// <summary>
/// The scheduling priority of the SQLite writer thread. The embedded profile's one writer is the pipeline's serial
/// resource: every step of every backlink waits for its group commits. On a machine whose cores are all busy with
/// grain work (validation fetches, the lane, the Sandbox in tests and the demo), the kernel gave it no more than any
/// other thread, and the import and the pipeline ran at the writer's starved pace. Linux: the thread's nice value is
/// lowered (<c>setpriority</c>), which needs CAP_SYS_NICE (root, or a container granted it); without it the writer runs
/// at the normal priority and the start-up log says so. ADR 0015.
/// </summary>
internal static class WriterPriority
{
    /// <summary>Raises the calling thread to <paramref name="nice"/> (−20 highest … 0 normal); what happened, for the start-up log.</summary>
    public static string Raise(int nice)
    {
        if (nice == 0)
            return "SQLite writer thread at normal priority (Storage:SqliteWriterNice is 0)";
        if (!OperatingSystem.IsLinux())
            return "SQLite writer thread at normal priority (its priority is raised on Linux only)";
        try
        {
            var thread = GetTid();
            if (SetPriority(0, thread, nice) == 0)
                return $"SQLite writer thread at nice {nice}";
            var error = Marshal.GetLastPInvokeError();
            return $"SQLite writer thread at normal priority: setting nice {nice} was refused (errno {error}; needs CAP_SYS_NICE — "
                + "run as root or grant the capability, or set Storage:SqliteWriterNice to 0 to silence this)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"SQLite writer thread at normal priority ({e.GetType().Name}: {e.Message})";
        }
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
