using System.Runtime.CompilerServices;
using System.Text;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// CSV with a header row: <c>url</c> plus optional <c>target_url</c>, <c>anchor</c>, <c>note</c>, <c>priority</c>
/// (any order, case-insensitive, other columns ignored). The delimiter (, ; tab |) is sniffed from the header; a UTF-8
/// BOM is tolerated. Every row is one line (RFC 4180 quoting, <c>""</c> for a quote, but no line breaks inside a
/// field), at most <see cref="MaxLineBytes"/> long and valid UTF-8: a row that is not is reported with its number and
/// skipped, and the next line is read as usual — a stray quote or an oversized field never swallows the rows after it,
/// and memory does not grow with the file.
/// </summary>
internal sealed class CsvImportReader : IImportReader
{
    /// <summary>A row's longest line: two URLs of 2,048 characters, an anchor and a note fit many times over.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    public async IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = new BoundedLineReader(body, MaxLineBytes);
        RawLine? headerLine;
        do
            headerLine = await lines.ReadLineAsync(cancellationToken);
        while (headerLine is { TooLong: false } blank && IsBlank(blank.Bytes.Span));
        if (headerLine is not { } first)
            throw new ImportFormatException("The CSV is empty; it needs a header row with a 'url' column.");
        var headerBytes = first.Bytes;
        if (first.Number == 1 && headerBytes.Span is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
            throw new ImportFormatException("The CSV is saved as UTF-16; save it as UTF-8 (CSV UTF-8 in spreadsheet programs).");
        if (headerBytes.Span is [0xEF, 0xBB, 0xBF, ..])
            headerBytes = headerBytes[3..];
        if (first.TooLong || !TryDecode(headerBytes.Span, out var headerText))
            throw new ImportFormatException($"The CSV's header row is {(first.TooLong ? $"longer than {MaxLineBytes / 1024} KiB" : "not valid UTF-8")}; "
                + "it needs a header row with a 'url' column.");
        var delimiter = SniffDelimiter(headerText);
        if (!TrySplit(headerText, delimiter, out var header, out _))
            throw new ImportFormatException($"The CSV's header row cannot be read: {Excerpt(headerText)}");
        var columns = header.Select(h => h.ToLowerInvariant()).ToList();
        if (!columns.Contains("url"))
            throw new ImportFormatException($"The CSV header has no 'url' column (found: {string.Join(", ", header.Select(h => $"'{h}'"))}).");
        int url = columns.IndexOf("url"), target = columns.IndexOf("target_url"), anchor = columns.IndexOf("anchor"),
            note = columns.IndexOf("note"), priority = columns.IndexOf("priority");

        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (line.TooLong)
            {
                yield return Unreadable(line.Number, $"the row is longer than {MaxLineBytes / 1024} KiB; no field may be that long");
                continue;
            }
            if (IsBlank(line.Bytes.Span))
                continue;
            if (!TryDecode(line.Bytes.Span, out var text))
            {
                // Decoding leniently would turn those bytes into U+FFFD: two different URLs could collapse into one.
                yield return Unreadable(line.Number, "the row has bytes that are not valid UTF-8; save the file as UTF-8");
                continue;
            }
            if (!TrySplit(text, delimiter, out var fields, out var problem))
            {
                yield return Unreadable(line.Number, $"malformed CSV near '{Excerpt(text)}': {problem}");
                continue;
            }
            yield return new ImportRow(line.Number, Field(fields, url), Field(fields, target), Field(fields, anchor), Field(fields, note), Field(fields, priority));
        }
    }

    private static ImportRow Unreadable(long number, string reason) => new(number, null, null, null, null, null, reason);

    private static string? Field(List<string> fields, int index) => index >= 0 && index < fields.Count && fields[index].Length > 0 ? fields[index] : null;

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t"u8).IsEmpty;

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>The candidate appearing most often outside quotes in the header; a comma when none does.</summary>
    private static char SniffDelimiter(string header)
    {
        var counts = new int[Delimiters.Length];
        var quoted = false;
        foreach (var c in header)
        {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && Array.IndexOf(Delimiters, c) is var i and >= 0)
                counts[i]++;
        }
        var best = 0;
        for (var i = 1; i < counts.Length; i++)
            if (counts[i] > counts[best])
                best = i;
        return Delimiters[best];
    }

    /// <summary>
    /// Splits one line into fields: unquoted fields are trimmed; a quoted field (<c>"…"</c>, <c>""</c> for a quote)
    /// keeps its content and may be surrounded by spaces. A quote left open, or text after a closing quote, is malformed.
    /// </summary>
    internal static bool TrySplit(string line, char delimiter, out List<string> fields, out string problem)
    {
        fields = [];
        problem = "";
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t' && line[i] != delimiter)
                i++;
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        problem = "a quoted field is not closed on its line (a field cannot span lines)";
                        return false;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                while (i < line.Length && line[i] is ' ' or '\t' && line[i] != delimiter)
                    i++;
                if (i < line.Length && line[i] != delimiter)
                {
                    problem = "text follows a closing quote";
                    return false;
                }
                fields.Add(field.ToString());
            }
            else
            {
                var next = line.IndexOf(delimiter, i);
                var raw = next < 0 ? line[i..] : line[i..next];
                if (raw.Contains('"', StringComparison.Ordinal))
                {
                    problem = "a quote inside a field that does not start with one";
                    return false;
                }
                fields.Add(raw.Trim());
                i = next < 0 ? line.Length : next;
            }
            if (i >= line.Length)
                return true;
            i++; // the delimiter
        }
    }

    private static string Excerpt(string raw) => raw.Length <= 60 ? raw : raw[..60] + "…";
}
