using System.Text;

namespace BacklinkOrleans.Validation.Robots;

/// <summary>How a robots.txt rule meets a URL: the part of the URL rules match, wildcard matching, pattern and user-agent normalization.</summary>
internal sealed partial class RobotsTxt
{
    /// <summary>The priority of a matching rule (its pattern's length), or -1 when it does not match.</summary>
    private static int MatchLength(string pattern, string path) => Matches(pattern, path) ? pattern.Length : -1;

    /// <summary>Wildcard match from the start of the path: '*' any sequence, a final '$' the end of the path.</summary>
    internal static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        if (anchored)
            pattern = pattern[..^1];
        if (pattern.Count(c => c != '*') > path.Length)
            return false; // more literal characters than the path has: bounded work for any input
        // reach[p]: the pattern so far can match path[..p]
        var reach = new bool[path.Length + 1];
        reach[0] = true;
        var previous = '\0';
        foreach (var c in pattern)
        {
            if (c == '*')
            {
                if (previous != '*')
                {
                    var first = Array.IndexOf(reach, true);
                    if (first < 0)
                        return false;
                    Array.Fill(reach, true, first, reach.Length - first);
                }
            }
            else
            {
                var any = false;
                for (var p = path.Length; p > 0; p--)
                {
                    reach[p] = reach[p - 1] && path[p - 1] == c;
                    any |= reach[p];
                }
                reach[0] = false;
                if (!any)
                    return false;
            }
            previous = c;
        }
        return anchored ? reach[path.Length] : Array.IndexOf(reach, true) >= 0;
    }

    /// <summary>The part of a URL robots rules match: path, params and query, without the fragment; "/" when empty.</summary>
    internal static string PathParamsQuery(string url)
    {
        var start = 0;
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var firstSlash = url.IndexOf('/');
        if (scheme > 0 && firstSlash == scheme + 1)
            start = AfterAuthority(url, scheme + 3);
        else if (url.StartsWith("//", StringComparison.Ordinal))
            start = AfterAuthority(url, 2);
        if (start < 0)
            return "/";
        var fragment = url.IndexOf('#', start);
        var result = fragment < 0 ? url[start..] : url[start..fragment];
        if (result.Length == 0)
            return "/";
        return result[0] == '/' ? result : "/" + result;

        static int AfterAuthority(string url, int from) => url.IndexOfAny(['/', '?', '#'], from) is var i && i >= 0 && url[i] != '#' ? i : -1;
    }

    /// <summary>Percent-encodes what a URL would carry encoded (non-ASCII as UTF-8) and uppercases existing escapes.</summary>
    internal static string NormalizePattern(string pattern)
    {
        var builder = new StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '%' && i + 2 < pattern.Length && Uri.IsHexDigit(pattern[i + 1]) && Uri.IsHexDigit(pattern[i + 2]))
            {
                builder.Append('%').Append(char.ToUpperInvariant(pattern[i + 1])).Append(char.ToUpperInvariant(pattern[i + 2]));
                i += 2;
            }
            else if (c > 0x7F)
            {
                var length = char.IsHighSurrogate(c) && i + 1 < pattern.Length ? 2 : 1;
                foreach (var b in Encoding.UTF8.GetBytes(pattern.Substring(i, length)))
                    builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                i += length - 1;
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>The product token of a user agent: its leading run of letters, '-' and '_' ("Googlebot/2.1" → "Googlebot").</summary>
    internal static string AgentToken(string value)
    {
        value = value.Trim();
        if (value == "*" || value.StartsWith("* ", StringComparison.Ordinal))
            return "*";
        var end = 0;
        while (end < value.Length && (char.IsAsciiLetter(value[end]) || value[end] is '-' or '_'))
            end++;
        return value[..end];
    }
}
