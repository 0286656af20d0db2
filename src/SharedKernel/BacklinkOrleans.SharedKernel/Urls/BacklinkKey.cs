using System.Diagnostics.CodeAnalysis;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>
/// The identity of one backlink: <c>{tenant}/{sha256 hex of the normalized url}</c>. The same URL in the same
/// tenant always has the same key, so it has exactly one lifecycle.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.backlink-key")]
public readonly record struct BacklinkKey(
    [property: Id(0)] TenantId Tenant,
    [property: Id(1)] string UrlHash)
{
    public static BacklinkKey For(TenantId tenant, NormalizedUrl url) => new(tenant, url.Sha256);

    public override string ToString() => $"{Tenant.Value}/{UrlHash}";

    public static BacklinkKey Parse(string key) =>
        TryParse(key, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string? key, out BacklinkKey parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = default;
        var slash = key?.IndexOf('/') ?? -1;
        if (key is null || slash < 0)
        {
            error = $"backlink key '{key}' must have the form {{tenant}}/{{sha256}}";
            return false;
        }
        if (!TenantId.TryFrom(key[..slash], out var tenant, out error))
            return false;
        var hash = key[(slash + 1)..];
        if (!UrlHashes.IsSha256Hex(hash))
        {
            error = $"backlink key '{key}' must end in 64 lowercase hex digits";
            return false;
        }
        parsed = new BacklinkKey(tenant, hash);
        return true;
    }
}
