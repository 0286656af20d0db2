using System.Globalization;
using System.Text.Json.Nodes;

namespace BacklinkOrleans.Host.Web.Pages;

/// <summary>How the pages read a campaign's counters and estimate.</summary>
internal static class Funnel
{
    public static readonly string[] States = ["collected", "validated", "submitted", "indexed", "failed"];

    public static Dictionary<string, long> Counts(JsonNode campaign) =>
        campaign["counters"]?.AsArray().Where(c => c is not null).GroupBy(c => (string)c!["state"]!)
            .ToDictionary(g => g.Key, g => g.Sum(c => (long)c!["count"]!)) ?? [];

    public static string Eta(JsonNode campaign) => campaign["eta"] is { } eta
        ? (string?)eta["lastCheckAt"] is { } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : (string?)eta["basis"] ?? "—"
        : "—";

    public static string Percent(long part, long whole) => whole == 0 ? "0%" : (100.0 * part / whole).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string When(JsonNode? value) => (string?)value is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
        ? at.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
        : "—";
}
