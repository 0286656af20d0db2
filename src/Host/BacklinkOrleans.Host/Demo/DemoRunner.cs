using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox;
using Spectre.Console;

namespace BacklinkOrleans.Host.Demo;

/// <summary>Plays <see cref="DemoScript"/> against the running Host through its HTTP API and shows what happens.</summary>
internal sealed class DemoRunner(WebApplication app, DemoOptions options, AcceleratedClock clock)
{
    /// <summary>Real time the demo waits while no count moves before it gives up (a busy machine is slow, not stuck).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReportPatience = TimeSpan.FromMinutes(2);
    private HttpClient api = null!;
    private string tenantKey = "";
    private string campaign = "";

    public async Task<int> PlayAsync(CancellationToken stopping)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]BacklinkOrleans demo[/] — embedded storage in [grey]{Markup.Escape(options.Folder)}[/], the Sandbox simulating every site and engine on 127.0.0.1,");
        console.MarkupLine($"simulated time [bold]{options.Speed:0}×[/] real time ({Describe(TimeSpan.FromSeconds(options.Speed))} a second). Nothing leaves this machine.");
        var keys = await ReadFirstRunKeysAsync(stopping);
        tenantKey = keys["tenant_api_key"];
        api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}"), DefaultRequestHeaders = { { "X-Api-Key", tenantKey } } };

        console.MarkupLine($"[grey]1/4[/] Publishing {DemoScript.Hosts.Count} simulated guest-post sites and {DemoScript.Urls.Count} articles; adding an IndexNow key per site, a SERP checker and a paid vendor account …");
        await SetUpWorldAsync(stopping);
        console.MarkupLine($"[grey]2/4[/] Campaign [bold]{Markup.Escape(DemoScript.Campaign)}[/] for {DemoScript.Client}: IndexNow first, the vendor for recovery; follow-ups after {string.Join(" and ", DemoScript.FollowUps)}. Importing the CSV …");
        var import = await ImportAsync(stopping);
        console.MarkupLine($"    {import}");
        console.MarkupLine("[grey]3/4[/] Watching the lifecycle (collected → validated → submitted → indexed) …");
        var finished = await WatchAsync(console, stopping);
        if (!finished)
        {
            console.MarkupLine($"[red]The campaign made no progress for {Patience.TotalMinutes:0} real minutes; what it reached is above. Data: {Markup.Escape(options.Folder)}[/]");
            return 1;
        }
        console.MarkupLine("[grey]4/4[/] The report (from the read models the subscription keeps):");
        var report = await WaitForReportAsync(stopping);
        PrintReport(console, report);
        await SaveReportAsync(report, stopping);
        return 0;
    }

    public void PrintWhereToLook()
    {
        AnsiConsole.MarkupLine($"Web page: [link]http://127.0.0.1:{options.Port}/app[/] — sign in with the API key [bold]{Markup.Escape(tenantKey)}[/]");
        AnsiConsole.MarkupLine($"API: http://127.0.0.1:{options.Port}/api/v1 (X-Api-Key as above); report: /api/v1/reports/campaigns/{campaign}?format=html");
        AnsiConsole.MarkupLine("Press [bold]Ctrl+C[/] to stop.");
    }

    private async Task<Dictionary<string, string>> ReadFirstRunKeysAsync(CancellationToken stopping)
    {
        var file = Path.Combine(options.Folder, "data", Hosting.FirstRunKeys.FileName);
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        for (; !File.Exists(file); await Task.Delay(100, stopping))
            if (waiting.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"The first-run keys did not appear in {file}.");
        await Task.Delay(100, stopping); // written whole before anything else
        return (await File.ReadAllLinesAsync(file, stopping)).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
    }

    private async Task SetUpWorldAsync(CancellationToken stopping)
    {
        var world = app.Services.GetRequiredService<SandboxHost>().Server;
        foreach (var host in DemoScript.Hosts)
        {
            var site = world.Site(host.Name).KeyFile(host.Key);
            foreach (var url in host.UrlList)
                site.Article(new Uri(url).AbsolutePath, DemoScript.Target);
            if (host.Blocked)
                site.Robots("User-agent: *\nDisallow: /\n");
            if (host.Slow)
                world.Index.SlowHost(host.Name, DemoScript.SlowIndexing);
        }
        foreach (var url in DemoScript.AlreadyIndexed)
            world.Index.MarkIndexed(url, clock.GetUtcNow().AddDays(-30));
        await Task.WhenAll(DemoScript.Hosts.Select(async host =>
        {
            var added = await PostAsync("/api/v1/credentials", new { kind = "indexnow", host = host.Name, key = host.Key, label = host.Name }, stopping);
            await PostAsync($"/api/v1/credentials/{added["id"]}/verify", new { }, stopping);
        }));
        await PostAsync("/api/v1/credentials", new { kind = "serp", apiKey = world.Serp.CreateApiKey(), label = "serp checker" }, stopping);
        var vendor = await PostAsync("/api/v1/credentials",
            new { kind = "vendor", apiKey = world.Vendor.CreateAccount(1_000), label = "paid vendor", costPerUrl = DemoScript.VendorCostPerUrl }, stopping);
        await PostAsync($"/api/v1/credentials/{vendor["id"]}/verify", new { }, stopping);
    }

    private async Task<string> ImportAsync(CancellationToken stopping)
    {
        campaign = (string)(await PostAsync("/api/v1/campaigns", new
        {
            name = DemoScript.Campaign, client = DemoScript.Client, channelPreference = new[] { "indexnow", "vendor" }, followUpSchedule = DemoScript.FollowUps,
        }, stopping))["id"]!;
        var csv = new StringBuilder("url,target_url\n");
        foreach (var url in DemoScript.Urls)
            csv.Append(url).Append(',').Append(DemoScript.Target).Append('\n');
        using var response = await api.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), stopping);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(stopping))!;
        return $"{answer["rows"]} rows: {answer["accepted"]} accepted, {answer["duplicate"]} duplicate, {answer["rejected"]} rejected";
    }

    private async Task<bool> WatchAsync(IAnsiConsole console, CancellationToken stopping)
    {
        var started = System.Diagnostics.Stopwatch.StartNew(); // real time, beside the simulated
        var done = false;
        await console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ValueColumn())
            .StartAsync(async progress =>
            {
                var stages = new[] { "collected", "validated", "submitted", "indexed", "failed" }
                    .ToDictionary(s => s, s => progress.AddTask(s.PadRight(10), maxValue: DemoScript.Backlinks));
                var clockTask = progress.AddTask("simulated", maxValue: 1);
                var (seen, lastMove) = ("", System.Diagnostics.Stopwatch.StartNew());
                while (!stopping.IsCancellationRequested && lastMove.Elapsed < Patience)
                {
                    var counts = await CountsAsync(stopping);
                    var now = string.Join(',', counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
                    if (now != seen)
                    {
                        seen = now;
                        lastMove.Restart();
                    }
                    foreach (var (stage, task) in stages)
                        task.Value = counts.GetValueOrDefault(stage);
                    clockTask.Description = $"simulated +{Describe(clock.Elapsed)}";
                    if (counts.GetValueOrDefault("indexed") + counts.GetValueOrDefault("failed") == DemoScript.Backlinks)
                    {
                        clockTask.Value = 1;
                        done = true;
                        break;
                    }
                    await Task.Delay(250, stopping);
                }
            });
        console.MarkupLine($"    every URL reached an outcome after {Describe(clock.Elapsed)} of simulated time ({started.Elapsed.TotalSeconds:0} s real)");
        return done;
    }

    private sealed class ValueColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.MaxValue > 1 ? $"{task.Value,4:0}" : "");
    }

    private async Task<Dictionary<string, long>> CountsAsync(CancellationToken stopping)
    {
        var view = await api.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaign}", stopping);
        return view!["counters"]!.AsArray().GroupBy(c => (string)c!["state"]!).ToDictionary(g => g.Key, g => g.Sum(c => (long)c!["count"]!));
    }

    private async Task<JsonNode> WaitForReportAsync(CancellationToken stopping)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await api.GetAsync($"/api/v1/reports/campaigns/{campaign}", stopping);
            if (response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync(stopping)) is { } report
                && (long)report["backlinks"]! == DemoScript.Backlinks && (long)report["open"]! == 0)
                return report;
            if (waited.Elapsed > ReportPatience)
                throw new InvalidOperationException($"The report did not catch up with the campaign in {ReportPatience.TotalMinutes:0} minutes.");
            await Task.Delay(100, stopping);
        }
    }

    /// <summary>The report as files beside the demo's data: report.json, report.csv and the printable report.html.</summary>
    private async Task SaveReportAsync(JsonNode report, CancellationToken stopping)
    {
        await File.WriteAllTextAsync(Path.Combine(options.Folder, "report.json"), report.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), stopping);
        foreach (var format in new[] { "csv", "html" })
            await File.WriteAllTextAsync(Path.Combine(options.Folder, $"report.{format}"),
                await api.GetStringAsync($"/api/v1/reports/campaigns/{campaign}?format={format}", stopping), stopping);
        AnsiConsole.MarkupLine($"The report is saved as report.json, report.csv and report.html in [grey]{Markup.Escape(options.Folder)}[/].");
    }

    private static void PrintReport(IAnsiConsole console, JsonNode r)
    {
        var summary = new Table().Title("Campaign").AddColumns("backlinks", "indexed", "already indexed", "failed", "success rate", "time to index p50", "p90", "cost");
        summary.AddRow($"{r["backlinks"]}", $"{r["indexed"]}", $"{r["alreadyIndexed"]}", $"{r["failed"]}", $"{(double)r["successRate"]! * 100:0.#} %",
            $"{r["timeToIndex"]!["p50"]}", $"{r["timeToIndex"]!["p90"]}", ((decimal)r["cost"]!).ToString("0.00", CultureInfo.InvariantCulture));
        console.Write(summary);
        var funnel = new Table().Title("Funnel").AddColumns("step", "reached", "share", "failed here");
        foreach (var step in r["funnel"]!.AsArray())
            funnel.AddRow($"{step!["step"]}", $"{step["reached"]}", $"{(double)step["share"]! * 100:0.#} %", $"{step["failedHere"]}");
        console.Write(funnel);
        var reasons = new Table().Title("Drop-off reasons").AddColumns("reason", "at step", "URLs", "for example");
        foreach (var d in r["dropOffReasons"]!.AsArray())
            reasons.AddRow($"{d!["reason"]}", $"{d["step"]}", $"{d["count"]}", Markup.Escape($"{d["examples"]![0]}"));
        console.Write(reasons);
        var channels = new Table().Title("Channels").AddColumns("channel", "credentials", "URLs", "accepted", "refused", "indexed after");
        foreach (var c in r["channels"]!.AsArray().GroupBy(c => (string)c!["channel"]!))
            channels.AddRow(c.Key, $"{c.Count()}", $"{c.Sum(x => (long)x!["urls"]!)}", $"{c.Sum(x => (long)x!["accepted"]!)}", $"{c.Sum(x => (long)x!["refused"]!)}",
                $"{c.Sum(x => (long)x!["indexedAfter"]!)}");
        console.Write(channels);
        console.MarkupLine($"Checks: {r["checks"]!["checks"]} index checks; {r["checks"]!["droppedOut"]} dropped out; {r["checks"]!["linksMissingNow"]} links missing.");
    }

    private async Task<JsonNode> PostAsync(string path, object body, CancellationToken stopping)
    {
        using var response = await api.PostAsJsonAsync(path, body, stopping);
        var text = await response.Content.ReadAsStringAsync(stopping);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    private static string Describe(TimeSpan t) => t.TotalHours >= 48 ? $"{t.TotalDays:0.#} d" : t.TotalMinutes >= 90 ? $"{t.TotalHours:0.#} h" : $"{t.TotalMinutes:0} min";
}
