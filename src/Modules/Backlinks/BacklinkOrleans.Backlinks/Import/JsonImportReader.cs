using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// A JSON array of objects <c>{"url": …, "targetUrl": …, "anchor": …, "note": …, "priority": …}</c> (snake_case
/// names too), read element by element. Rows are numbered from 1 in array order. The array is cut into its elements
/// by a scanner that keeps at most <see cref="MaxElementBytes"/> of one element, so an oversized element costs no more
/// memory than a small one; each element is then parsed on its own: one that is too large, not valid JSON or not
/// valid UTF-8 is a row error, and the elements around it still count.
/// </summary>
internal sealed class JsonImportReader : IImportReader
{
    /// <summary>One backlink's object: two URLs of 2,048 characters, an anchor and a note fit many times over.</summary>
    public const int MaxElementBytes = 64 * 1024;

    private const string Shape = """send a JSON array of backlinks, e.g. [{"url": "https://blog.example/post"}]""";

    public async IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scanner = new ElementScanner(body);
        var first = await scanner.SkipWhitespaceAsync(cancellationToken);
        if (first == ElementScanner.End)
            throw new ImportFormatException($"The body is empty; {Shape}.");
        if (first != '[')
            throw new ImportFormatException($"The body is not a JSON array (it starts with '{(char)first}'); {Shape}.");
        scanner.Take();
        long number = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = await scanner.SkipWhitespaceAsync(cancellationToken);
            if (next == ',')
            {
                scanner.Take();
                continue;
            }
            if (next == ']')
                yield break;
            if (next == ElementScanner.End)
            {
                context.Aborted = $"The JSON could not be read past row {number}: the array is not closed with ']'.";
                yield break;
            }
            number++;
            var element = await scanner.ReadElementAsync(MaxElementBytes, cancellationToken);
            if (!element.Complete)
            {
                context.Aborted = $"The JSON could not be read past row {number - 1}: it ends inside row {number}.";
                yield break;
            }
            yield return element.TooLarge
                ? Unreadable(number, $"row {number} is larger than {MaxElementBytes / 1024} KiB; no field may be that long")
                : Parse(number, element.Bytes);
        }
    }

    private static ImportRow Parse(long number, ReadOnlyMemory<byte> bytes)
    {
        if (!Utf8.IsValid(bytes.Span))
            return Unreadable(number, $"row {number} has bytes that are not valid UTF-8; send the body as UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return Unreadable(number, $"row {number} is not valid JSON: {Sentence(e)}");
        }
        using (document)
        {
            var element = document.RootElement;
            if (element.ValueKind != JsonValueKind.Object)
                return Unreadable(number, $"row {number} is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not an object");
            return new ImportRow(number, Text(element, "url"), Text(element, "targetUrl", "target_url"), Text(element, "anchor"),
                Text(element, "note"), Text(element, "priority"));
        }
    }

    /// <summary>The parser's message without its position within the element (meaningless to the sender).</summary>
    private static string Sentence(JsonException e) =>
        e.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].TrimEnd();

    private static ImportRow Unreadable(long number, string reason) => new(number, null, null, null, null, null, reason);

    private static string? Text(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                    continue;
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
        }
        return null;
    }

    /// <summary>An element's bytes (null when too large), whether it was too large, and whether the body ended first.</summary>
    private readonly record struct ScannedElement(ReadOnlyMemory<byte> Bytes, bool TooLarge, bool Complete);

    /// <summary>
    /// Finds where each element of a top-level array ends: nesting of objects and arrays, strings and their escapes;
    /// nothing else of JSON's grammar (the element's own parse judges that).
    /// </summary>
    private sealed class ElementScanner(Stream stream)
    {
        public const int End = -1;
        private readonly byte[] input = new byte[16 * 1024];
        private int position, length;
        private byte[] element = new byte[4 * 1024];

        private async ValueTask<int> PeekAsync(CancellationToken cancellationToken)
        {
            if (position == length)
            {
                length = await stream.ReadAsync(input, cancellationToken);
                position = 0;
                if (length == 0)
                    return End;
            }
            return input[position];
        }

        public void Take() => position++;

        public async ValueTask<int> SkipWhitespaceAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var b = await PeekAsync(cancellationToken);
                if (b is not (' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF)) // a UTF-8 BOM is skipped like whitespace
                    return b;
                Take();
            }
        }

        public async ValueTask<ScannedElement> ReadElementAsync(int max, CancellationToken cancellationToken)
        {
            int kept = 0, depth = 0;
            bool inString = false, escaped = false, tooLarge = false;
            while (true)
            {
                var b = await PeekAsync(cancellationToken);
                if (b == End)
                    return new ScannedElement(default, tooLarge, Complete: false);
                if (!inString && depth == 0 && b is ',' or ']')
                    return new ScannedElement(tooLarge ? default : element.AsMemory(0, kept), tooLarge, Complete: true); // a bare value ends here
                Take();
                if (!tooLarge)
                {
                    if (kept == max)
                        tooLarge = true;
                    else
                    {
                        if (kept == element.Length)
                            Array.Resize(ref element, Math.Min(element.Length * 2, max));
                        element[kept++] = (byte)b;
                    }
                }
                if (inString)
                {
                    if (escaped)
                        escaped = false;
                    else if (b == '\\')
                        escaped = true;
                    else if (b == '"')
                        inString = false;
                    continue;
                }
                switch (b)
                {
                    case '"':
                        inString = true;
                        break;
                    case '{' or '[':
                        depth++;
                        break;
                    case '}' or ']':
                        if (--depth <= 0)
                            return new ScannedElement(tooLarge ? default : element.AsMemory(0, kept), tooLarge, Complete: true);
                        break;
                }
            }
        }
    }
}
