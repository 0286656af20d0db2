using System.Security.Cryptography;
using System.Text;

namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>SHA-256 of a normalized URL, as lowercase hex: the dedupe key of a backlink.</summary>
public static class UrlHashes
{
    public static string Sha256Hex(string normalizedUrl) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedUrl)));

    public static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
