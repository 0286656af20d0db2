namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// One row as read from an upload, before validation: its number (as a spreadsheet counts: a CSV header is row 1),
/// its raw fields, or the reason it could not be read at all.
/// </summary>
internal sealed record ImportRow(long Number, string? Url, string? TargetUrl, string? Anchor, string? Note, string? Priority, string? ReadError = null);

/// <summary>Reads rows from an upload as a stream; memory does not grow with the file.</summary>
internal interface IImportReader
{
    IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, CancellationToken cancellationToken);
}

/// <summary>What a reader reports besides rows: child sitemaps found, and why it stopped early.</summary>
internal sealed class ImportContext
{
    public List<string> ChildSitemaps { get; } = [];

    public string? Aborted { get; set; }
}

/// <summary>A file-level problem (no url column, not a sitemap): the upload is refused before any row is taken.</summary>
internal sealed class ImportFormatException(string message) : Exception(message);
