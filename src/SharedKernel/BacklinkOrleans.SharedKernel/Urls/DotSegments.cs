using System.Text;

namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>The remove_dot_segments algorithm of RFC 3986 section 5.2.4.</summary>
internal static class DotSegments
{
    internal static string Remove(string path)
    {
        if (!path.Contains('.'))
            return path;
        var input = path;
        var output = new StringBuilder(path.Length);
        while (input.Length > 0)
        {
            if (input.StartsWith("../", StringComparison.Ordinal))
                input = input[3..];
            else if (input.StartsWith("./", StringComparison.Ordinal))
                input = input[2..];
            else if (input.StartsWith("/./", StringComparison.Ordinal))
                input = input[2..];
            else if (input == "/.")
                input = "/";
            else if (input.StartsWith("/../", StringComparison.Ordinal))
            {
                input = input[3..];
                RemoveLastSegment(output);
            }
            else if (input == "/..")
            {
                input = "/";
                RemoveLastSegment(output);
            }
            else if (input is "." or "..")
                input = "";
            else
            {
                var start = input[0] == '/' ? 1 : 0;
                var next = input.IndexOf('/', start);
                var segment = next < 0 ? input : input[..next];
                output.Append(segment);
                input = next < 0 ? "" : input[next..];
            }
        }
        return output.ToString();
    }

    private static void RemoveLastSegment(StringBuilder output)
    {
        var text = output.ToString();
        var last = text.LastIndexOf('/');
        output.Length = last < 0 ? 0 : last;
    }
}
