using System.Globalization;
using System.Net;
using System.Text;
using BacklinkOrleans.Reporting.Contracts;
using CsvHelper;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>A report as CSV (one row per number: section, name, detail, count, value) and as printable white-label HTML.</summary>
internal static class ReportFormats
{
    public static readonly string[] CsvHeader = ["section", "name", "detail", "count", "value"];

    public static string Csv(CampaignReport r)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Campaign names and URLs are users' text: a cell starting with =, +, - or @ is escaped so a spreadsheet shows it, never runs it.
        using (var csv = new CsvWriter(text, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape }))
        {
            void Row(string section, string name, string detail, long? count, string value)
            {
                csv.WriteField(section);
                csv.WriteField(name);
                csv.WriteField(detail);
                csv.WriteField(count?.ToString(CultureInfo.InvariantCulture) ?? "");
                csv.WriteField(value);
                csv.NextRecord();
            }
            foreach (var h in CsvHeader)
                csv.WriteField(h);
            csv.NextRecord();
            Row("scope", r.Scope.Kind, r.Scope.Id, r.Scope.Campaigns.Count, r.Scope.Name);
            Row("summary", "backlinks", "", r.Backlinks, "");
            Row("summary", "indexed", "", r.Indexed, "");
            Row("summary", "already-indexed", "", r.AlreadyIndexed, "");
            Row("summary", "failed", "", r.Failed, "");
            Row("summary", "retired", "", r.Retired, "");
            Row("summary", "open", "", r.Open, "");
            Row("summary", "success-rate", "", null, r.SuccessRate.ToString("0.####", CultureInfo.InvariantCulture));
            foreach (var step in r.Funnel)
            {
                Row("funnel", step.Step, "reached", step.Reached, step.Share.ToString("0.####", CultureInfo.InvariantCulture));
                Row("funnel", step.Step, "failed-here", step.FailedHere, "");
            }
            foreach (var state in r.States)
                Row("state", state.State, "", state.Count, "");
            Row("time-to-index", "p50", "seconds", r.TimeToIndex.Samples, r.TimeToIndex.P50Seconds?.ToString(CultureInfo.InvariantCulture) ?? "");
            Row("time-to-index", "p90", "seconds", r.TimeToIndex.Samples, r.TimeToIndex.P90Seconds?.ToString(CultureInfo.InvariantCulture) ?? "");
            foreach (var reason in r.DropOffReasons)
                Row("drop-off", reason.Reason, reason.Step, reason.Count, string.Join(" ", reason.Examples));
            foreach (var c in r.Channels)
            {
                var name = $"{c.Channel}/{c.Credential}";
                Row("channel", name, "urls", c.Urls, "");
                Row("channel", name, "attempts", c.Attempts, "");
                Row("channel", name, "accepted", c.Accepted, "");
                Row("channel", name, "refused", c.Refused, "");
                Row("channel", name, "indexed-after", c.IndexedAfter, "");
            }
            Row("checks", "checks", "", r.Checks.Checks, "");
            Row("checks", "dropped-out", "", r.Checks.DroppedOut, "");
            Row("checks", "links-missing-now", "", r.Checks.LinksMissingNow, "");
            Row("checks", "links-ever-missing", "", r.Checks.LinksEverMissing, "");
            Row("cost", "total", "", null, r.Cost.ToString("0.######", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>A printable page: the agency's name, logo and colour; no product name anywhere.</summary>
    public static string Html(CampaignReport r, ReportBranding branding)
    {
        static string E(object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        static string Pct(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
        var accent = branding.AccentColor ?? "#1f4e79";
        var logoTag = branding.LogoUrl is { } logo ? $"<img src=\"{E(logo)}\" alt=\"{E(branding.AgencyName)} logo\">" : "";
        var generated = r.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var cost = r.Cost.ToString("0.00", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(branding.AgencyName)}} — {{E(r.Scope.Name)}}</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}
            header{display:flex;align-items:center;gap:1rem;border-bottom:3px solid {{E(accent)}};padding-bottom:.75rem}
            header img{max-height:3rem}
            h1{font-size:1.4rem;margin:0} h2{color:{{E(accent)}};font-size:1.1rem;margin-top:1.75rem}
            table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
            td.n{text-align:right;font-variant-numeric:tabular-nums} .kpi{display:flex;gap:2rem;flex-wrap:wrap} .kpi div{font-size:1.6rem}
            .kpi small{display:block;font-size:.8rem;color:#666} .bar{background:{{E(accent)}};height:.6rem}
            @media print{body{margin:0} }
            </style></head><body>
            <header>{{logoTag}}
            <div><h1>{{E(branding.AgencyName)}}</h1><div>Indexing report: {{E(r.Scope.Kind)}} {{E(r.Scope.Name)}} (client {{E(r.Scope.Client)}}) — {{E(generated)}}</div></div></header>
            <section class="kpi" aria-label="Summary">
            <div>{{E(r.Backlinks)}}<small>backlinks</small></div><div>{{E(r.Indexed)}}<small>indexed</small></div>
            <div>{{Pct(r.SuccessRate)}}<small>success rate</small></div><div>{{E(r.TimeToIndex.P50 ?? "—")}}<small>median time to index</small></div>
            <div>{{E(cost)}}<small>cost</small></div></section>
            <h2>Funnel</h2><table><thead><tr><th scope="col">Step</th><th scope="col">Reached</th><th scope="col">Share</th><th scope="col"></th><th scope="col">Failed here</th></tr></thead><tbody>
            """);
        foreach (var s in r.Funnel)
            html.Append($"<tr><td>{E(s.Step)}</td><td class=\"n\">{E(s.Reached)}</td><td class=\"n\">{Pct(s.Share)}</td>"
                + $"<td style=\"width:30%\"><div class=\"bar\" style=\"width:{(s.Share * 100).ToString("0.#", CultureInfo.InvariantCulture)}%\"></div></td><td class=\"n\">{E(s.FailedHere)}</td></tr>");
        html.Append($"</tbody></table><h2>Time to index</h2><p>{E(r.TimeToIndex.Samples)} URLs indexed after submission: median {E(r.TimeToIndex.P50 ?? "—")}, 90th percentile {E(r.TimeToIndex.P90 ?? "—")}.</p>");
        html.Append("<h2>Why URLs dropped off</h2>");
        if (r.DropOffReasons.Count == 0)
            html.Append("<p>None.</p>");
        else
        {
            html.Append("<table><thead><tr><th scope=\"col\">Reason</th><th scope=\"col\">At step</th><th scope=\"col\">URLs</th><th scope=\"col\">For example</th></tr></thead><tbody>");
            foreach (var d in r.DropOffReasons)
                html.Append($"<tr><td>{E(d.Reason)}</td><td>{E(d.Step)}</td><td class=\"n\">{E(d.Count)}</td><td>{string.Join("<br>", d.Examples.Select(E))}</td></tr>");
            html.Append("</tbody></table>");
        }
        html.Append("<h2>Channels</h2><table><thead><tr><th scope=\"col\">Channel</th><th scope=\"col\">Credential</th><th scope=\"col\">URLs</th><th scope=\"col\">Accepted</th><th scope=\"col\">Refused</th><th scope=\"col\">Indexed after</th></tr></thead><tbody>");
        foreach (var c in r.Channels)
            html.Append($"<tr><td>{E(c.Channel)}</td><td>{E(c.Credential)}</td><td class=\"n\">{E(c.Urls)}</td><td class=\"n\">{E(c.Accepted)}</td><td class=\"n\">{E(c.Refused)}</td><td class=\"n\">{E(c.IndexedAfter)}</td></tr>");
        html.Append($"</tbody></table><h2>Monitoring</h2><p>{E(r.Checks.Checks)} index checks; {E(r.Checks.DroppedOut)} URLs dropped out of the index; "
            + $"{E(r.Checks.LinksMissingNow)} links missing now ({E(r.Checks.LinksEverMissing)} ever).</p></body></html>");
        return html.ToString();
    }
}
