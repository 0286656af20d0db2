using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// An uploaded sitemap: each <c>&lt;url&gt;&lt;loc&gt;</c> of a <c>urlset</c> is a row. A <c>sitemapindex</c> is
/// accepted too: its child sitemaps are reported for fetching (they are fetched through the guarded HTTP client).
/// DTDs are refused and sizes capped (50,000 URLs, as the sitemap protocol allows per file); a <c>&lt;loc&gt;</c> is
/// read in chunks and kept only up to <see cref="MaxLocChars"/>, so an oversized one is a row error that costs no memory.
/// </summary>
internal sealed class SitemapImportReader : IImportReader
{
    public const int MaxUrls = 50_000;

    /// <summary>What of a &lt;loc&gt; is kept: a URL longer than this is refused by its length anyway.</summary>
    public const int MaxLocChars = UrlNormalizer.MaxLength + 1;

    public async IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = new XmlReaderSettings
        {
            Async = true,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        using var xml = XmlReader.Create(body, settings);
        string? root = null;
        long number = 0;
        while (true)
        {
            bool more;
            string? loc = null;
            try
            {
                more = await xml.ReadAsync();
                if (more && xml.NodeType == XmlNodeType.Element)
                {
                    root ??= xml.LocalName;
                    if (root is not ("urlset" or "sitemapindex"))
                        throw new ImportFormatException($"Not a sitemap: the root element is <{root}>, not <urlset> or <sitemapindex>.");
                    if (xml.LocalName == "loc")
                        loc = await ReadLocAsync(xml);
                }
            }
            catch (XmlException e)
            {
                if (root is null)
                    throw new ImportFormatException($"The body is not a sitemap XML document: {e.Message}");
                context.Aborted = $"The sitemap could not be read past URL {number}: {e.Message}";
                yield break;
            }
            if (!more)
            {
                if (root is null)
                    throw new ImportFormatException("The body is empty; send a sitemap (<urlset> or <sitemapindex>).");
                yield break;
            }
            if (loc is null)
                continue;
            if (root == "sitemapindex")
            {
                if (context.ChildSitemaps.Count >= SitemapLimits.PerIndex)
                {
                    context.Aborted = $"The sitemap index lists more than {SitemapLimits.PerIndex:N0} sitemaps, the most one index may queue; the rest were not read.";
                    yield break;
                }
                if (loc.Length <= UrlNormalizer.MaxLength)
                    context.ChildSitemaps.Add(loc);
                continue;
            }
            if (++number > MaxUrls)
            {
                context.Aborted = $"The sitemap has more than {MaxUrls:N0} URLs; the rest were not read.";
                yield break;
            }
            yield return new ImportRow(number, loc, null, null, null, null);
        }
    }

    /// <summary>
    /// The text of the &lt;loc&gt; the reader is on, trimmed, read a chunk at a time and kept up to
    /// <see cref="MaxLocChars"/> (the rest is read and dropped); leaves the reader on its end tag.
    /// </summary>
    private static async Task<string> ReadLocAsync(XmlReader xml)
    {
        if (xml.IsEmptyElement)
            return "";
        var depth = xml.Depth;
        var text = new StringBuilder();
        var chunk = new char[4096];
        while (await xml.ReadAsync() && xml.Depth > depth)
        {
            if (xml.NodeType is not (XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace))
                continue;
            int n;
            while ((n = await xml.ReadValueChunkAsync(chunk, 0, chunk.Length)) > 0)
                text.Append(chunk, 0, Math.Min(n, Math.Max(0, MaxLocChars - text.Length)));
        }
        return text.ToString().Trim();
    }
}
