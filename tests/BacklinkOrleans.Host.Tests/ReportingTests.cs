using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// Issue 15 end to end on a real Host process in Sandbox mode: a scripted campaign's report (JSON, CSV, HTML) equals the
/// numbers worked out by hand; a campaign that finishes reaches a webhook receiver that fails twice exactly once, signed;
/// the audit is clean on the real run, and <c>audit verify</c> finds each violation injected into a copy of its database.
/// </summary>
public sealed class ReportingTests
{
    private const string Article = "<html><body><a href=\"https://client.example/\">the client</a></body></html>";

    [Fact]
    public async Task AScriptedCampaign_ReportsWhatHappened_NotifiesOnce_AndAuditsClean_UntilTampered()
    {
        await using var folder = TempFolder.Create("backlink-reporting-");
        var settings = new HostProcess.Settings(folder.Path, null)
        {
            Environment = new Dictionary<string, string>
            {
                ["Sandbox__Enabled"] = "true",
                ["Reporting__Webhooks__FirstRetry"] = "00:00:01",
                ["Reporting__Webhooks__PollInterval"] = "00:00:00.500",
            },
        };
        var host = await HostProcess.StartAsync(settings);
        string campaign, secret;
        await using (host)
        {
            var tenant = await PostAsync(host.Operator, "/api/v1/tenants", new { id = "agency", name = "Agency" });
            using var api = new HttpClient { BaseAddress = host.Http.BaseAddress, DefaultRequestHeaders = { { "X-Api-Key", (string)tenant["key"]!["apiKey"]! } } };
            await PublishAsync(host, "guest-blog.example/acme-review?contentType=text/html", Article);
            await PublishAsync(host, "guest-blog.example/acme-interview?contentType=text/html", Article);
            await PublishAsync(host, "guest-blog.example/old-post?status=410", "gone");
            await PublishAsync(host, "guest-blog.example/hidden?contentType=text/html", "<meta name=\"robots\" content=\"noindex\">");
            await PublishAsync(host, "guest-blog.example/f3a9c0d1e2b34a5c.txt", "f3a9c0d1e2b34a5c");
            await PublishAsync(host, "hooks.agency.example/hook?failNext=2", "ok"); // the receiver fails twice, then answers 200

            var hook = await PostAsync(api, "/api/v1/webhooks", new { url = "https://hooks.agency.example/hook", eventTypes = new[] { "campaign.finished.v1" } });
            secret = (string)hook["secret"]!;
            var credential = await PostAsync(api, "/api/v1/credentials", new { kind = "indexnow", host = "guest-blog.example", key = "f3a9c0d1e2b34a5c" });
            await PostAsync(api, $"/api/v1/credentials/{credential["id"]}/verify", new { });
            campaign = (string)(await PostAsync(api, "/api/v1/campaigns", new { name = "Q4", client = "Acme" }))["id"]!;
            const string csv = "url,target_url\nhttps://guest-blog.example/acme-review,https://client.example/\nhttps://guest-blog.example/acme-interview,https://client.example/\n"
                + "https://guest-blog.example/old-post,\nhttps://guest-blog.example/hidden,\nhttps://elsewhere.example/post,\n";
            using (var import = await api.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", new StringContent(csv, Encoding.UTF8, "text/csv")))
                Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());

            // By hand: 5 collected; the 410, the noindex page and the uncovered host fail before validation; 2 are submitted by IndexNow.
            var report = await WaitForAsync(api, $"/api/v1/reports/campaigns/{campaign}", r => (long)r["failed"]! == 3 && (long)r["funnel"]![2]!["reached"]! == 2, host);
            Assert.Equal(5, (long)report["backlinks"]!);
            Assert.Equal(["collected:5:3", "validated:2:0", "submitted:2:0", "indexed:0:0"],
                report["funnel"]!.AsArray().Select(s => $"{s!["step"]}:{s["reached"]}:{s["failedHere"]}"));
            Assert.Equal(["http-not-found:collected:1:https://guest-blog.example/old-post", "no-channel:collected:1:https://elsewhere.example/post",
                    "noindex:collected:1:https://guest-blog.example/hidden"],
                report["dropOffReasons"]!.AsArray().Select(d => $"{d!["reason"]}:{d["step"]}:{d["count"]}:{d["examples"]![0]}"));
            var channel = Assert.Single(report["channels"]!.AsArray())!;
            Assert.Equal(("indexnow", 2L, 2L, 0L), ((string)channel["channel"]!, (long)channel["urls"]!, (long)channel["accepted"]!, (long)channel["refused"]!));
            Assert.Equal(0.0, (double)report["successRate"]!);
            Assert.Equal(0m, (decimal)report["cost"]!);
            var asCsv = await api.GetStringAsync($"/api/v1/reports/campaigns/{campaign}?format=csv");
            Assert.StartsWith("section,name,detail,count,value\n", asCsv.ReplaceLineEndings("\n"));
            Assert.Contains("drop-off,no-channel,collected,1,https://elsewhere.example/post", asCsv);
            Assert.Contains("funnel,submitted,reached,2,0.4", asCsv);
            using (var put = await api.PutAsJsonAsync("/api/v1/reports/branding", new { agencyName = "Northwind SEO", accentColor = "#aa3300" }))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var html = await api.GetStringAsync($"/api/v1/reports/campaigns/{campaign}?format=html");
            Assert.Contains("<h1>Northwind SEO</h1>", html);
            Assert.Contains("https://guest-blog.example/hidden", html);
            Assert.DoesNotContain("BacklinkOrleans", html); // white label

            // Retiring the two open backlinks finishes the campaign: one event, delivered on the third attempt, signed.
            foreach (var item in (await api.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaign}/backlinks?state=submitted"))!["items"]!.AsArray())
                using (var retire = await api.PostAsync($"/api/v1/backlinks/{item!["sha256"]}/retire", null))
                    Assert.True(retire.IsSuccessStatusCode);
            var deliveries = await WaitForAsync(api, $"/api/v1/webhooks/{hook["endpoint"]!["id"]}/deliveries",
                d => d.AsArray().Count == 1 && (string)d[0]!["state"]! == "delivered", host);
            Assert.Equal(3, (int)deliveries[0]!["attempts"]!);
            var received = (await host.Operator.GetFromJsonAsync<JsonArray>("/sandbox/requests"))!.Where(r => (string)r!["host"]! == "hooks.agency.example").ToList();
            Assert.Equal([500, 500, 200], received.Select(r => (int)r!["status"]!));
            Assert.Single(received.Select(r => (string)r!["body"]!).Distinct()); // the same event each time
            var body = (string)received[^1]!["body"]!;
            Assert.True(VerifySignature(secret, (string)received[^1]!["headers"]!["X-Backlink-Signature"]!, body), "the signature verifies with the secret");
            var finished = JsonNode.Parse(body)!;
            Assert.Equal(("campaign.finished.v1", campaign, 5L, 3L, 2L),
                ((string)finished["type"]!, (string)finished["data"]!["campaignId"]!, (long)finished["data"]!["backlinks"]!, (long)finished["data"]!["failed"]!,
                    (long)finished["data"]!["retired"]!));

            // Redelivered by hand: the same event (same id and body) once more, logged as a fourth attempt.
            var endpoint = (string)hook["endpoint"]!["id"]!;
            using (var redeliver = await api.PostAsync($"/api/v1/webhooks/{endpoint}/deliveries/{deliveries[0]!["id"]}/redeliver", null))
                Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
            await WaitForAsync(api, $"/api/v1/webhooks/{endpoint}/deliveries", d => (int)d[0]!["attempts"]! == 4 && (string)d[0]!["state"]! == "delivered", host);
            var again = (await host.Operator.GetFromJsonAsync<JsonArray>("/sandbox/requests"))!.Where(r => (string)r!["host"]! == "hooks.agency.example").ToList();
            Assert.Equal(4, again.Count);
            Assert.Equal(body, (string)again[^1]!["body"]!);

            var audit = await PostAsync(host.Operator, "/api/v1/audit/verify", new { });
            Assert.True((bool)audit["clean"]!, audit.ToJsonString());
        }

        var clean = await HostProcess.RunVerbAsync(settings, "audit verify");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains("clean: no violations", clean.Output);

        await AssertCaughtAsync(folder.Path, "hash-chain", "hash", AuditInjections.TamperWithAnEventAsync);
        await AssertCaughtAsync(folder.Path, "submissions", "indexnow accepted the URL again", AuditInjections.AcceptTwiceAsync);
        await AssertCaughtAsync(folder.Path, "hash-chain", "the hash does not match", AuditInjections.AcceptTwiceWithoutTheKeyAsync);
        await AssertCaughtAsync(folder.Path, "quota-windows", "over its limit of 10000", AuditInjections.OverspendAQuotaAsync);
        await AssertCaughtAsync(folder.Path, "report-read-model", "differ from the replay", AuditInjections.ChangeAReportRowAsync);
    }

    /// <summary>Copies the run's database, injects one violation, and sees <c>audit verify</c> name it (exit code 3).</summary>
    private static async Task AssertCaughtAsync(string original, string check, string problem, Func<string, Task> inject)
    {
        await using var copy = TempFolder.Create($"backlink-audit-{check}-");
        Directory.CreateDirectory(Path.Combine(copy.Path, "data"));
        foreach (var file in Directory.GetFiles(Path.Combine(original, "data")))
            File.Copy(file, Path.Combine(copy.Path, "data", Path.GetFileName(file)));
        await inject(Path.Combine(copy.Path, "data", "backlinks.db"));
        var (exitCode, output) = await HostProcess.RunVerbAsync(new HostProcess.Settings(copy.Path, null), "audit verify");
        Assert.True(exitCode == 3, $"exit {exitCode}: {output}");
        Assert.Contains($"FAIL {check}:", output);
        Assert.Contains(problem, output);
    }

    /// <summary>What a receiver does: HMAC-SHA256 over "{t}.{body}" with the secret, compared in constant time (README).</summary>
    private static bool VerifySignature(string secret, string header, string body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"));
        return CryptographicOperations.FixedTimeEquals(mac, Convert.FromHexString(parts["v1"]));
    }

    private static async Task PublishAsync(HostProcess host, string hostAndPath, string body)
    {
        using var response = await host.Operator.PutAsync($"/sandbox/sites/{hostAndPath}", new StringContent(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonNode> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> WaitForAsync(HttpClient client, string path, Func<JsonNode, bool> done, HostProcess host)
    {
        var last = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            using var response = await client.GetAsync(path);
            last = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode && JsonNode.Parse(last) is { } node && done(node))
                return node;
        }
        throw new TimeoutException($"{path} did not reach the expected state; last: {last}\n{host.Output}");
    }
}
