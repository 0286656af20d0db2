using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>
/// How a delivery is signed: header <c>X-Backlink-Signature: t={unix seconds},v1={hex HMAC-SHA256 over "{t}.{body}"}</c>
/// with the endpoint's secret. A receiver recomputes it, compares in constant time, and refuses old timestamps (README).
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Backlink-Signature";

    public static string Sign(string secret, DateTimeOffset at, string body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>A receiver's check (used by the tests as a receiver would): the signature matches and is at most <paramref name="tolerance"/> old.</summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, CultureInfo.InvariantCulture, out var seconds))
            return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
            return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        if (v1.Length != expected.Length * 2 || !v1.All(char.IsAsciiHexDigit))
            return false;
        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(v1), expected);
    }
}
