using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Validation.Routing;

/// <summary>
/// Whether a credential covers a URL, by the ownership rules of protocols.md: an IndexNow key covers exactly its
/// host (and, with a keyLocation, only URLs in that file's folder or below); a Search Console domain property
/// covers the domain and every subdomain on any scheme, a URL-prefix property only URLs under that prefix; a vendor
/// key covers any host.
/// </summary>
internal static class Coverage
{
    public static bool Covers(CredentialView credential, NormalizedUrl url) => credential.Kind switch
    {
        CredentialKinds.IndexNow => IndexNowCovers(credential.Scope, url),
        CredentialKinds.Google => credential.Scope.Properties?.Any(p => PropertyCovers(p, url)) == true,
        CredentialKinds.Vendor => true,
        _ => false,
    };

    internal static bool IndexNowCovers(CredentialScope scope, NormalizedUrl url) => IndexNowKeyScope.Covers(scope, url);

    internal static bool PropertyCovers(string property, NormalizedUrl url)
    {
        if (property.StartsWith("sc-domain:", StringComparison.Ordinal))
        {
            var domain = property["sc-domain:".Length..].Trim().ToLowerInvariant().TrimEnd('.');
            return url.Host == domain || url.Host.EndsWith("." + domain, StringComparison.Ordinal);
        }
        return UrlNormalizer.TryNormalize(property, out var prefix, out _)
            && url.Value.StartsWith(prefix.Value, StringComparison.Ordinal);
    }
}
