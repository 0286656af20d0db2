using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Web.Tests;

/// <summary>What operators get: the Orleans Dashboard behind the operator key, and Prometheus metrics of the product.</summary>
public sealed class OperationsTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    [Fact]
    public async Task TheDashboard_RefusesWithoutTheOperatorKey_AndShowsSilosAndGrainsWithIt()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/DashboardCounters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Api.GetAsync("/dashboard/DashboardCounters")).StatusCode); // a tenant key is not enough

        using var page = await fixture.Host.Operator.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        JsonNode? counters = null;
        for (var attempt = 0; attempt < 40; attempt++, await Task.Delay(500))
        {
            counters = JsonNode.Parse(await fixture.Host.Operator.GetStringAsync("/dashboard/DashboardCounters"));
            if (counters?["hosts"]?.AsArray().Count > 0 && counters["simpleGrainStats"]?.AsArray().Count > 0)
                break;
        }
        Assert.Equal("Active", (string?)counters?["hosts"]?[0]?["status"]);
        Assert.Contains(counters!["simpleGrainStats"]!.AsArray(), g => ((string?)g!["grainType"])?.Contains("SchedulerShardGrain", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Metrics_ExposeTheLaneTheStoreTheSchedulerAndTheLifecycle_InPrometheusFormat()
    {
        // Some work to measure: a campaign of two URLs submitted by IndexNow, checked by the SERP checker.
        var campaign = (string)(await WebHostFixture.PostAsync(fixture.Api, "/api/v1/campaigns", new { name = "metrics", client = "Acme" }))["id"]!;
        const string csv = "url,target_url\nhttps://guest-blog.example/acme-review,https://client.example/\nhttps://guest-blog.example/acme-interview,https://client.example/\n";
        using (var import = await fixture.Api.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", new StringContent(csv, Encoding.UTF8, "text/csv")))
            Assert.True(import.IsSuccessStatusCode);
        string[] series =
        [
            "backlink_lane_queue_depth{", "backlink_quota_used{", "backlink_quota_left{", "backlink_submissions_total{", "backlink_checks_total{",
            "backlink_backlinks{", "backlink_eventstore_batch_size", "backlink_eventstore_commit_latency_milliseconds", "backlink_scheduler_lag_seconds",
        ];
        var text = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(1000))
        {
            text = await fixture.Host.Http.GetStringAsync("/metrics");
            if (series.All(s => text.Contains(s, StringComparison.Ordinal)))
                break;
        }
        Assert.All(series, s => Assert.Contains(s, text));
        Assert.Contains("channel=\"indexnow\"", text);
        Assert.Contains("outcome=\"accepted\"", text);
        Assert.Contains("window=\"utc-day\"", text);
    }
}
