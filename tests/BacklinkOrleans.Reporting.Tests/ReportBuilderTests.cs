using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.Reporting.Reports;

namespace BacklinkOrleans.Reporting.Tests;

/// <summary>A report over hand-made facts equals the numbers worked out by hand.</summary>
public sealed class ReportBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static ReportFacts Facts(int n, string state, string furthest, long? ttiHours = null, string? reason = null, string? failedStep = null,
        string campaign = "c1", long costMicros = 0, bool retired = false, IReadOnlyList<ChannelUse>? channels = null) =>
        new("acme", $"h{n:00}", $"https://blog{n:00}.example/post", $"blog{n:00}.example", campaign, [campaign], T0, state, furthest, reason, failedStep, retired,
            ttiHours is null ? null : T0, ttiHours is null ? null : T0.AddHours(ttiHours.Value), ttiHours * 3600, false, ttiHours is null ? null : "indexnow",
            ttiHours is null ? null : "indexnow", ttiHours is null ? 0 : 2, 0, 0, false, costMicros,
            channels ?? (ttiHours is null ? [] : [new ChannelUse("indexnow", "key:1", 1, 1, 0)]));

    [Fact]
    public void TwentyBacklinks_GiveTheHandComputedFunnel_Percentiles_Reasons_AndCost()
    {
        var builder = new ReportBuilder(new ReportScope("campaign", "c1", "Q4", "Acme", ["c1"]), T0, null);
        // 10 indexed after 1…10 hours (given out of order), 4 submitted and waiting, 3 failed before validation, 2 at submission, 1 retired.
        foreach (var hours in new long[] { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 })
            builder.Add(Facts((int)hours, ReportFacts.Indexed, ReportFacts.Indexed, ttiHours: hours, costMicros: 20_000));
        for (var i = 11; i <= 14; i++)
            builder.Add(Facts(i, ReportFacts.Submitted, ReportFacts.Submitted, channels: [new ChannelUse("indexnow", "key:1", 1, 1, 0)]));
        builder.Add(Facts(15, ReportFacts.Failed, ReportFacts.Collected, reason: "http-not-found", failedStep: ReportFacts.Collected));
        builder.Add(Facts(16, ReportFacts.Failed, ReportFacts.Collected, reason: "http-not-found", failedStep: ReportFacts.Collected));
        builder.Add(Facts(17, ReportFacts.Failed, ReportFacts.Collected, reason: "no-channel", failedStep: ReportFacts.Collected));
        builder.Add(Facts(18, ReportFacts.Failed, ReportFacts.Validated, reason: "key-invalid", failedStep: ReportFacts.Validated,
            channels: [new ChannelUse("indexnow", "key:1", 1, 0, 1)]));
        builder.Add(Facts(19, ReportFacts.Failed, ReportFacts.Validated, reason: "key-invalid", failedStep: ReportFacts.Validated, campaign: "other", costMicros: 99));
        builder.Add(Facts(20, ReportFacts.Validated, ReportFacts.Validated, retired: true));

        var report = builder.Build();

        Assert.Equal((20L, 10L, 5L, 1L, 4L), (report.Backlinks, report.Indexed, report.Failed, report.Retired, report.Open));
        Assert.Equal(["collected:20:1:3", "validated:17:0.85:2", "submitted:14:0.7:0", "indexed:10:0.5:0"],
            report.Funnel.Select(s => $"{s.Step}:{s.Reached}:{s.Share.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{s.FailedHere}"));
        Assert.Equal(0.5263, report.SuccessRate); // 10 ÷ (20 − 1)
        // Nearest rank over 1…10 h: p50 is the 5th sample, p90 the 9th.
        Assert.Equal((10L, 5 * 3600L, 9 * 3600L, "5 h", "9 h"),
            (report.TimeToIndex.Samples, report.TimeToIndex.P50Seconds, report.TimeToIndex.P90Seconds, report.TimeToIndex.P50, report.TimeToIndex.P90));
        Assert.Equal(["http-not-found@collected=2 https://blog15.example/post https://blog16.example/post",
                "key-invalid@validated=2 https://blog18.example/post https://blog19.example/post", "no-channel@collected=1 https://blog17.example/post"],
            report.DropOffReasons.Select(d => $"{d.Reason}@{d.Step}={d.Count} {string.Join(' ', d.Examples)}"));
        Assert.Equal(new ChannelResult("indexnow", "key:1", 15, 15, 14, 1, 10), Assert.Single(report.Channels));
        Assert.Equal(0.2m, report.Cost); // 10 × 0.02; the backlink governed by another campaign is not charged here
        Assert.Equal(20, report.Checks.Checks);
    }

    [Fact]
    public void Percentiles_UseTheNearestRank()
    {
        Assert.Null(ReportBuilder.Percentile([], 50));
        Assert.Equal(7, ReportBuilder.Percentile([7], 90));
        Assert.Equal(2, ReportBuilder.Percentile([1, 2, 3], 50));
        Assert.Equal(3, ReportBuilder.Percentile([1, 2, 3], 90));
    }

    [Fact]
    public void Csv_HasOneRowPerNumber_AndHtml_IsWhiteLabel()
    {
        var builder = new ReportBuilder(new ReportScope("campaign", "c1", "Q4 <script>", "Acme", ["c1"]), T0, null);
        builder.Add(Facts(1, ReportFacts.Failed, ReportFacts.Collected, reason: "noindex", failedStep: ReportFacts.Collected));
        var report = builder.Build();
        var csv = ReportFormats.Csv(report).ReplaceLineEndings("\n");
        Assert.StartsWith("section,name,detail,count,value\nscope,campaign,c1,1,Q4 <script>\n", csv);
        Assert.Contains("drop-off,noindex,collected,1,https://blog01.example/post\n", csv);
        var formula = new ReportBuilder(new ReportScope("campaign", "c2", "=HYPERLINK(\"x\")", "Acme", ["c2"]), T0, null).Build();
        Assert.Contains("scope,campaign,c2,1,\"'=HYPERLINK(\"\"x\"\")\"", ReportFormats.Csv(formula)); // escaped, not a formula
        var html = ReportFormats.Html(report, new ReportBranding("Northwind SEO", "https://cdn.example/logo.png", "#112233"));
        Assert.Contains("<img src=\"https://cdn.example/logo.png\" alt=\"Northwind SEO logo\">", html);
        Assert.Contains("Q4 &lt;script&gt;", html);
        Assert.DoesNotContain("<script>", html);
    }
}
