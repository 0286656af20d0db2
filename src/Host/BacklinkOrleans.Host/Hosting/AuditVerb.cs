using BacklinkOrleans.SharedKernel.Audit;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// <c>audit verify</c>: replays the whole log of the configured database (no silo is started; run it on a copy or beside
/// a live cluster) and prints each check, its rule and what it found. Exit code 0 only when clean, 3 when not.
/// </summary>
internal static class AuditVerb
{
    public const int ViolationsFound = 3;

    public static async Task<int> RunAsync(WebApplication app)
    {
        var audit = app.Services.GetRequiredService<AuditRunner>();
        var progress = new Progress<long>(events => { if (events % 100_000 == 0 && events > 0) Console.Error.WriteLine($"  … {events:N0} events replayed"); });
        var report = await audit.VerifyAsync(progress, app.Lifetime.ApplicationStopping);
        Console.WriteLine($"audit verify: {report.Events:N0} events in {report.Streams:N0} streams replayed at {report.At:u}");
        foreach (var check in report.Checks)
        {
            Console.WriteLine($"{(check.Violations.Count == 0 ? "ok  " : "FAIL")} {check.Check}: {check.Rule}");
            foreach (var violation in check.Violations)
                Console.WriteLine($"       {violation}");
        }
        Console.WriteLine(report.Clean ? "clean: no violations" : $"{report.ViolationCount} violation(s) found");
        return report.Clean ? 0 : ViolationsFound;
    }
}
