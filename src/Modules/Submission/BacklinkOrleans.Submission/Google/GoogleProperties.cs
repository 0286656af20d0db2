using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// Search Console properties and the ownership rule (protocols.md): a domain property <c>sc-domain:example.com</c>
/// covers the domain and every subdomain, any scheme; a URL-prefix property <c>https://www.example.com/blog/</c>
/// covers only URLs under that prefix, scheme included. A property Google refused for this account does not count.
/// </summary>
internal static class GoogleProperties
{
    private const string DomainPrefix = "sc-domain:";

    /// <summary>The property in its canonical form, or why it is not one.</summary>
    public static bool TryNormalize(string? property, out string normalized, out string error)
    {
        normalized = "";
        error = "";
        property = property?.Trim();
        if (string.IsNullOrEmpty(property))
        {
            error = "a property is 'sc-domain:example.com' or a URL prefix such as 'https://www.example.com/'";
            return false;
        }
        if (property.StartsWith(DomainPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var domain = property[DomainPrefix.Length..].Trim().TrimEnd('.').ToLowerInvariant();
            if (domain.Length == 0 || !UrlNormalizer.TryNormalize($"https://{domain}/", out var url, out _) || url.Host != domain || !domain.Contains('.'))
            {
                error = $"'{property}' is not a domain property: write sc-domain: and a domain name, e.g. sc-domain:example.com";
                return false;
            }
            normalized = DomainPrefix + domain;
            return true;
        }
        if (!UrlNormalizer.TryNormalize(property, out var prefix, out var rejection))
        {
            error = $"'{property}' is not a URL-prefix property: {rejection.Detail}";
            return false;
        }
        if (!prefix.Value.EndsWith('/') || prefix.Value.Contains('?'))
        {
            error = $"'{property}' is not a URL-prefix property: it must end with '/' and have no query";
            return false;
        }
        normalized = prefix.Value;
        return true;
    }

    /// <summary>Whether <paramref name="property"/> covers <paramref name="url"/>.</summary>
    public static bool Covers(string property, NormalizedUrl url) =>
        property.StartsWith(DomainPrefix, StringComparison.Ordinal)
            ? url.Host == property[DomainPrefix.Length..] || url.Host.EndsWith("." + property[DomainPrefix.Length..], StringComparison.Ordinal)
            : url.Value.StartsWith(property, StringComparison.Ordinal);

    /// <summary>The first of the credential's properties, not refused by Google, that covers <paramref name="url"/>.</summary>
    public static string? Covering(CredentialScope scope, NormalizedUrl url) =>
        scope.Properties?.FirstOrDefault(p => scope.RefusedProperties?.ContainsKey(p) != true && Covers(p, url));

    /// <summary>The router's index keys: <c>*.example.com</c> for a domain property (its subdomains and itself), the host for a prefix.</summary>
    public static IEnumerable<string> CoverageKeys(CredentialScope scope) =>
        (scope.Properties ?? []).Select(p => p.StartsWith(DomainPrefix, StringComparison.Ordinal)
            ? "*." + p[DomainPrefix.Length..]
            : new Uri(p).Host);
}
