using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>README command one: the demo plays its script end to end, and its numbers are the script's.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task TheDemo_PlaysTheSeedsWorkedExample_AndItsReportMatchesTheScript()
    {
        await using var folder = TempFolder.Create("backlink-demo-test-");
        var settings = new HostProcess.Settings(folder.Path, null) { WithOperatorKey = false };
        var demoFolder = Path.Combine(folder.Path, "demo");

        var (exitCode, output) = await HostProcess.RunVerbAsync(settings, $"demo --exit --port {settings.HttpPort} --folder {demoFolder}", TimeSpan.FromMinutes(10));

        Assert.True(exitCode == 0, output);
        Assert.Contains("150 rows: 150 accepted, 0 duplicate, 0 rejected", output);
        Assert.Contains("every URL reached an outcome", output);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(demoFolder, "report.json")))!;
        // The script: 150 URLs; 9 on the 3 blocked hosts fail at validation; 12 were indexed before anything was sent;
        // 118 are indexed after IndexNow took them; the 11 slow ones after the vendor took them again in recovery.
        Assert.Equal((150L, 141L, 12L, 9L, 0L), ((long)report["backlinks"]!, (long)report["indexed"]!, (long)report["alreadyIndexed"]!,
            (long)report["failed"]!, (long)report["open"]!));
        var reason = Assert.Single(report["dropOffReasons"]!.AsArray())!;
        Assert.Equal(("robots-disallowed", "collected", 9L), ((string)reason["reason"]!, (string)reason["step"]!, (long)reason["count"]!));
        var channels = report["channels"]!.AsArray().GroupBy(c => (string)c!["channel"]!)
            .ToDictionary(g => g.Key, g => (Accepted: g.Sum(c => (long)c!["accepted"]!), IndexedAfter: g.Sum(c => (long)c!["indexedAfter"]!)));
        Assert.Equal((129L, 118L), channels["indexnow"]);
        Assert.Equal((11L, 11L), channels["vendor"]);
        Assert.Equal(129, (long)report["timeToIndex"]!["samples"]!);
        Assert.True((decimal)report["cost"]! >= 11 * 0.02m, "the vendor's 11 URLs are paid for");
        Assert.Contains("<h1>", await File.ReadAllTextAsync(Path.Combine(demoFolder, "report.html")));
        Assert.StartsWith("section,name,detail,count,value", await File.ReadAllTextAsync(Path.Combine(demoFolder, "report.csv")));
    }
}
