using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Lane;
using BacklinkOrleans.Submission.Vendor;

namespace BacklinkOrleans.Submission.Tests.Vendor;

/// <summary>A vendor task's full report, URL by URL, as index-check verdicts (protocols.md: error_code −1 noindex, 0 none, else the page's HTTP status).</summary>
public sealed class VendorReportTests
{
    private static readonly LedgerItem[] Items =
    [
        .. new[] { "ok", "noindex", "gone", "missing", "forbidden", "none", "moved", "down", "absent" }
            .Select(p => new LedgerItem($"h-{p}", $"https://blog.example/{p}", TimeSpan.FromHours(1))),
    ];

    private static readonly VendorReport Report = new(["https://blog.example/ok"],
    [
        ("https://blog.example/noindex", -1), ("https://blog.example/gone", 410), ("https://blog.example/missing", 404),
        ("https://blog.example/forbidden", 403), ("https://blog.example/none", 0), ("HTTPS://Blog.Example/moved", 301), ("https://blog.example/down", 503),
    ]);

    [Theory]
    [InlineData("ok", IndexVerdicts.Indexed, null)]
    [InlineData("noindex", IndexVerdicts.Blocked, FailureReasons.Noindex)]
    [InlineData("gone", IndexVerdicts.Blocked, FailureReasons.HttpNotFound)]
    [InlineData("missing", IndexVerdicts.Blocked, FailureReasons.HttpNotFound)]
    [InlineData("forbidden", IndexVerdicts.Blocked, FailureReasons.HttpError)]
    [InlineData("none", IndexVerdicts.Missed, null)]
    [InlineData("moved", IndexVerdicts.Missed, null)] // matched in normalized form
    [InlineData("down", IndexVerdicts.Missed, null)]
    [InlineData("absent", IndexVerdicts.Unknown, null)]
    public void EachUrl_GetsTheVerdictItsErrorCodeMeans(string page, string verdict, string? reason)
    {
        var mapped = VendorChannelBase.MapReport("t1", Report, Items, cost: 0.005m);

        var v = mapped[$"h-{page}"];
        Assert.Equal((verdict, reason, 0.005m), (v.Index, v.Reason, v.Cost));
        Assert.StartsWith("vendor task t1", v.Detail);
    }
}
