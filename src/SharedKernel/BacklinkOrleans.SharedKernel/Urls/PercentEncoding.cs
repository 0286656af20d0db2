using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>Percent-encoding normalization of RFC 3986 section 6.2.2.2.</summary>
internal static class PercentEncoding
{
    internal enum Component { Path, Query }

    private const string SubDelims = "!$&'()*+,;=";

    internal static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static bool IsAllowedLiteral(char c, Component component) =>
        IsUnreserved(c) || SubDelims.Contains(c) || c is ':' or '@' or '/'
        || (component == Component.Query && c == '?');

    /// <summary>
    /// Uppercases the hex digits of every escape, decodes escapes of unreserved characters, and encodes (as UTF-8)
    /// every character a URI may not contain literally. A '%' not followed by two hex digits is an error.
    /// </summary>
    internal static bool TryNormalize(string input, Component component, [NotNullWhen(true)] out string? output,
        [NotNullWhen(false)] out string? error)
    {
        var builder = new StringBuilder(input.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c == '%')
            {
                if (i + 2 >= input.Length || !char.IsAsciiHexDigit(input[i + 1]) || !char.IsAsciiHexDigit(input[i + 2]))
                {
                    output = null;
                    error = $"has an invalid percent-escape at position {i + 1}: '%' must be followed by two hex digits";
                    return false;
                }
                var value = (char)Convert.ToByte(input.Substring(i + 1, 2), 16);
                if (IsUnreserved(value))
                    builder.Append(value);
                else
                    builder.Append('%').Append(char.ToUpperInvariant(input[i + 1])).Append(char.ToUpperInvariant(input[i + 2]));
                i += 2;
            }
            else if (IsAllowedLiteral(c, component))
            {
                builder.Append(c);
            }
            else
            {
                if (!Rune.TryGetRuneAt(input, i, out var rune))
                {
                    output = null;
                    error = $"has an invalid UTF-16 character at position {i + 1}";
                    return false;
                }
                var length = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..length])
                    builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                i += rune.Utf16SequenceLength - 1;
            }
        }
        output = builder.ToString();
        error = null;
        return true;
    }

    /// <summary>Decodes percent-escapes in a host (RFC 3986 allows them in reg-name) as UTF-8.</summary>
    internal static bool TryDecodeHost(string host, [NotNullWhen(true)] out string? decoded)
    {
        decoded = null;
        if (!host.Contains('%'))
        {
            decoded = host;
            return true;
        }
        var bytes = new List<byte>(host.Length);
        for (var i = 0; i < host.Length; i++)
        {
            if (host[i] == '%')
            {
                if (i + 2 >= host.Length || !char.IsAsciiHexDigit(host[i + 1]) || !char.IsAsciiHexDigit(host[i + 2]))
                    return false;
                bytes.Add(Convert.ToByte(host.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(host[i].ToString()));
            }
        }
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
