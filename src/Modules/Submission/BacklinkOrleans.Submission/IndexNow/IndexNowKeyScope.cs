using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// What an IndexNow key may be used for (protocols.md): URLs of exactly its host and, with a keyLocation, only URLs
/// in that file's folder or below. One rule for routing and for the channel's pre-filter before batching.
/// </summary>
internal static class IndexNowKeyScope
{
    /// <summary>The placeholder for the key in a stored keyLocation (the key itself is secret).</summary>
    public const string KeyPlaceholder = "<key>";

    public static bool Covers(CredentialScope scope, NormalizedUrl url) =>
        string.Equals(scope.Host, url.Host, StringComparison.Ordinal)
        && (Folder(scope) is not { } folder || url.Path.StartsWith(folder, StringComparison.Ordinal));

    /// <summary>The keyLocation's folder (ending in '/'), or null when the key file is at the host's root by default.</summary>
    public static string? Folder(CredentialScope scope)
    {
        if (scope.KeyLocation is null)
            return null;
        // Only the folder matters, so the placeholder in the file name can stand in for the key.
        var path = new Uri(scope.KeyLocation.Replace(KeyPlaceholder, "key", StringComparison.Ordinal)).AbsolutePath;
        return path[..(path.LastIndexOf('/') + 1)];
    }

    /// <summary>The keyLocation to send, with the key in place of the placeholder; null when none is configured.</summary>
    public static string? KeyLocation(CredentialScope scope, string key) =>
        scope.KeyLocation?.Replace(KeyPlaceholder, key, StringComparison.Ordinal);
}
