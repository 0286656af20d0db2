using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using CsvHelper.Configuration;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// CSV with a header row: <c>url</c> plus optional <c>target_url</c>, <c>anchor</c>, <c>note</c>, <c>priority</c>
/// (any order, case-insensitive, other columns ignored). The delimiter (, ; tab |) is sniffed; a UTF-8 BOM is
/// tolerated. A row the parser cannot read is reported and skipped; the rows after it still count.
/// </summary>
internal sealed class CsvImportReader : IImportReader
{
    public async IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? badData = null;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t", "|"],
            HasHeaderRecord = true,
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            HeaderValidated = null,
            BadDataFound = args => badData ??= $"malformed CSV near '{Excerpt(args.RawRecord)}'",
            TrimOptions = TrimOptions.Trim,
            IgnoreBlankLines = true,
        };
        using var reader = new StreamReader(body, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, configuration);
        if (!await csv.ReadAsync() || !csv.ReadHeader())
            throw new ImportFormatException("The CSV is empty; it needs a header row with a 'url' column.");
        var header = csv.HeaderRecord ?? [];
        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        if (!columns.Contains("url"))
            throw new ImportFormatException($"The CSV header has no 'url' column (found: {string.Join(", ", header.Select(h => $"'{h}'"))}).");

        while (true)
        {
            bool more;
            try
            {
                more = await csv.ReadAsync();
            }
            catch (CsvHelperException e)
            {
                context.Aborted = $"The CSV could not be read past row {csv.Parser.Row}: {e.Message.Split('\n')[0]}";
                yield break;
            }
            if (!more)
                yield break;
            cancellationToken.ThrowIfCancellationRequested();
            var number = csv.Parser.Row;
            // Fields are parsed lazily: bad data is reported while they are read, so read them first.
            var row = new ImportRow(number, Field(csv, columns, "url"), Field(csv, columns, "target_url"), Field(csv, columns, "anchor"),
                Field(csv, columns, "note"), Field(csv, columns, "priority"));
            for (var i = 0; i < csv.Parser.Count; i++)
                _ = csv.GetField(i);
            if (badData is not null)
            {
                row = new ImportRow(number, null, null, null, null, null, badData);
                badData = null;
            }
            else if (NotUtf8(row))
            {
                // The reader replaced bytes that are not UTF-8 with U+FFFD: two different URLs could collapse into one.
                row = new ImportRow(number, null, null, null, null, null, "the row has bytes that are not valid UTF-8; save the file as UTF-8");
            }
            yield return row;
        }
    }

    private static string? Field(CsvReader csv, List<string> columns, string name)
    {
        var index = columns.IndexOf(name);
        return index < 0 || index >= csv.Parser.Count ? null : csv.GetField(index) is { Length: > 0 } value ? value : null;
    }

    private static bool NotUtf8(ImportRow row) =>
        new[] { row.Url, row.TargetUrl, row.Anchor, row.Note, row.Priority }.Any(f => f?.Contains('\uFFFD', StringComparison.Ordinal) == true);

    private static string Excerpt(string raw) => raw.Length <= 60 ? raw.TrimEnd('\r', '\n') : raw[..60] + "…";
}
