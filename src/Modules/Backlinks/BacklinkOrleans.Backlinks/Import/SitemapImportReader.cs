using System.Runtime.CompilerServices;
using System.Xml;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// An uploaded sitemap: each <c>&lt;url&gt;&lt;loc&gt;</c> of a <c>urlset</c> is a row. A <c>sitemapindex</c> is
/// accepted too: its child sitemaps are reported for fetching (they are fetched through the guarded HTTP client).
/// DTDs are refused and sizes capped (50,000 URLs, as the sitemap protocol allows per file).
/// </summary>
internal sealed class SitemapImportReader : IImportReader
{
    public const int MaxUrls = 50_000;

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
                        loc = (await xml.ReadElementContentAsStringAsync()).Trim();
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
                if (context.ChildSitemaps.Count >= MaxUrls)
                {
                    context.Aborted = $"The sitemap index lists more than {MaxUrls:N0} sitemaps; the rest were not read.";
                    yield break;
                }
                if (loc.Length <= 2_048)
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
}
