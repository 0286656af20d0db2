using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace BacklinkOrleans.Accounts.Authentication;

/// <summary>
/// API keys look like <c>blk_{keyId}_{secret}</c>: the key id finds the stored row, the secret is compared by its
/// SHA-256 in constant time. Only the hash is stored; the key is shown once.
/// </summary>
internal static class ApiKeySecret
{
    private const string Prefix = "blk_";

    public static (string KeyId, string ApiKey, string SecretSha256) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}", Sha256(secret));
    }

    public static bool TryParse(string? apiKey, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out string? secret)
    {
        keyId = secret = null;
        if (apiKey is null || !apiKey.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var separator = apiKey.IndexOf('_', Prefix.Length);
        if (separator < 0 || separator == apiKey.Length - 1)
            return false;
        keyId = apiKey[Prefix.Length..separator];
        secret = apiKey[(separator + 1)..];
        return keyId.Length > 0;
    }

    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant-time comparison of a presented secret with a stored hash.</summary>
    public static bool Matches(string presentedSecret, string storedSha256Hex)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(presentedSecret));
        byte[] stored;
        try
        {
            stored = Convert.FromHexString(storedSha256Hex);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '-');
}
