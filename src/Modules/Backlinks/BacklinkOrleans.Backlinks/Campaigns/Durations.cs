using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace BacklinkOrleans.Backlinks.Campaigns;

/// <summary>Durations as people write them in campaign settings: "90m", "1h", "24h", "30d" (or "01:00:00").</summary>
internal static class Durations
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out TimeSpan? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        if (unit is 'm' or 'h' or 'd' && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            value = unit switch { 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) };
            return true;
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }
        return false;
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? $"{value.TotalHours:0}h"
        : value.TotalMinutes == Math.Floor(value.TotalMinutes) ? $"{value.TotalMinutes:0}m"
        : value.ToString("c", CultureInfo.InvariantCulture);
}
