using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>
/// RFC 3986 syntax- and scheme-based normalization of http(s) URLs (section 6.2.2 and 6.2.3): scheme and host
/// lowercased, IDN hosts converted to punycode, one trailing dot of the host dropped, the default port dropped,
/// an empty path made "/", dot-segments removed, percent-encoding hex uppercased and unreserved characters
/// decoded, characters a URI may not contain percent-encoded as UTF-8, the fragment dropped. User-info and every
/// scheme but http and https are rejected, as are malformed authorities and percent-escapes.
/// </summary>
/// <remarks>
/// The parser is our own rather than <see cref="Uri"/>: <see cref="Uri"/> rewrites inputs in ways that change
/// the resource (backslashes become slashes, numeric hosts become dotted IPv4) and accepts user-info silently.
/// </remarks>
public static class UrlNormalizer
{
    /// <summary>The longest backlink URL accepted (import refuses longer ones; validation checks it again).</summary>
    public const int MaxLength = 2_048;

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    public static NormalizedUrl Normalize(string input) =>
        TryNormalize(input, out var url, out var rejection)
            ? url
            : throw new FormatException($"'{input}' is not a valid backlink URL: {rejection.Detail}");

    public static bool TryNormalize(
        string? input,
        [NotNullWhen(true)] out NormalizedUrl? url,
        [NotNullWhen(false)] out UrlRejection? rejection)
    {
        url = null;
        rejection = Parse(input, out var parts);
        if (rejection is not null)
            return false;

        var authority = parts.Host.Contains(':') ? $"[{parts.Host}]" : parts.Host;
        var defaultPort = parts.Scheme == "https" ? 443 : 80;
        var builder = new StringBuilder(parts.Scheme).Append("://").Append(authority);
        if (parts.Port != defaultPort)
            builder.Append(':').Append(parts.Port.ToString(CultureInfo.InvariantCulture));
        builder.Append(parts.Path);
        if (parts.Query is not null)
            builder.Append('?').Append(parts.Query);

        url = new NormalizedUrl(builder.ToString(), parts.Scheme, parts.Host, parts.Port, parts.Path, parts.Query);
        return true;
    }

    private readonly record struct Parts(string Scheme, string Host, int Port, string Path, string? Query);

    private static UrlRejection? Parse(string? input, out Parts parts)
    {
        parts = default;
        var text = input?.Trim(' ', '\t', '\r', '\n', '\f', '\v') ?? "";
        if (text.Length == 0)
            return UrlRejection.Invalid("the URL is empty");
        if (text.Any(c => c < 0x20 || c == 0x7F))
            return UrlRejection.Invalid("the URL contains control characters");

        var colon = text.IndexOf(':');
        if (colon <= 0 || !IsScheme(text.AsSpan(0, colon)))
            return UrlRejection.Invalid("the URL must be absolute, starting with http:// or https://");
        var scheme = text[..colon].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
            return UrlRejection.Invalid($"the scheme '{scheme}' is not supported; use http or https");

        var rest = text[(colon + 1)..];
        if (!rest.StartsWith("//", StringComparison.Ordinal))
            return UrlRejection.Invalid("the URL must have a host after '//'");
        rest = rest[2..];

        var hash = rest.IndexOf('#');
        if (hash >= 0)
            rest = rest[..hash];
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var pathAndQuery = authorityEnd < 0 ? "" : rest[authorityEnd..];

        if (authority.Contains('@'))
            return UrlRejection.Invalid("user-info (user:password@) is not allowed in a backlink URL");
        var authorityError = ParseAuthority(authority, scheme, out var host, out var port);
        if (authorityError is not null)
            return UrlRejection.Invalid(authorityError);

        var question = pathAndQuery.IndexOf('?');
        var rawPath = question < 0 ? pathAndQuery : pathAndQuery[..question];
        var rawQuery = question < 0 ? null : pathAndQuery[(question + 1)..];

        if (!PercentEncoding.TryNormalize(rawPath, PercentEncoding.Component.Path, out var path, out var pathError))
            return UrlRejection.Invalid($"the path {pathError}");
        string? query = null;
        if (rawQuery is not null &&
            !PercentEncoding.TryNormalize(rawQuery, PercentEncoding.Component.Query, out query, out var queryError))
            return UrlRejection.Invalid($"the query {queryError}");

        path = DotSegments.Remove(path);
        if (path.Length == 0)
            path = "/";

        parts = new Parts(scheme, host, port, path, query);
        return null;
    }

    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (!char.IsAsciiLetter(s[0]))
            return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
                return false;
        return true;
    }

    private static string? ParseAuthority(string authority, string scheme, out string host, out int port)
    {
        host = "";
        port = scheme == "https" ? 443 : 80;
        string rawHost;
        string? rawPort;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
                return "the IPv6 host is missing its closing ']'";
            rawHost = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
                return $"unexpected characters '{after}' after the IPv6 host";
            rawPort = after.Length > 0 ? after[1..] : null;
            if (!IPAddress.TryParse(rawHost, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return $"'{rawHost}' is not a valid IPv6 address";
            host = v6.ToString();
        }
        else
        {
            var lastColon = authority.LastIndexOf(':');
            rawHost = lastColon < 0 ? authority : authority[..lastColon];
            rawPort = lastColon < 0 ? null : authority[(lastColon + 1)..];
            var hostError = NormalizeRegisteredName(rawHost, out host);
            if (hostError is not null)
                return hostError;
        }

        if (!string.IsNullOrEmpty(rawPort))
        {
            if (!rawPort.All(char.IsAsciiDigit) || !int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port)
                || port is < 1 or > 65535)
                return $"the port '{rawPort}' is not a number from 1 to 65535";
        }
        return null;
    }

    private static string? NormalizeRegisteredName(string rawHost, out string host)
    {
        host = "";
        if (!PercentEncoding.TryDecodeHost(rawHost, out var decoded))
            return $"the host '{rawHost}' has an invalid percent-encoding";
        if (decoded.EndsWith('.'))
            decoded = decoded[..^1]; // "example.com." and "example.com" are the same DNS name
        if (decoded.Length == 0)
            return "the host is missing";

        string ascii;
        try
        {
            ascii = decoded.All(char.IsAscii) ? decoded.ToLowerInvariant() : Idn.GetAscii(decoded).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return $"the host '{decoded}' is not a valid internationalized domain name";
        }

        if (ascii.Length > 253)
            return "the host is longer than 253 characters";
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length == 0)
                return $"the host '{ascii}' has an empty label";
            if (label.Length > 63)
                return $"the host label '{label}' is longer than 63 characters";
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                return $"the host '{ascii}' contains characters not allowed in a host name";
        }
        host = ascii;
        return null;
    }
}
