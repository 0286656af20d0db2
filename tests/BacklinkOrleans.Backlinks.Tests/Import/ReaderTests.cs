using System.Text;
using BacklinkOrleans.Backlinks.Import;

namespace BacklinkOrleans.Backlinks.Tests.Import;

public sealed class ReaderTests
{
    private static async Task<(List<ImportRow> Rows, ImportContext Context)> ReadAsync(IImportReader reader, string text, bool bom = false)
    {
        var bytes = (bom ? Encoding.UTF8.GetPreamble() : []).Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        var context = new ImportContext();
        var rows = new List<ImportRow>();
        await foreach (var row in reader.ReadAsync(new MemoryStream(bytes), context, CancellationToken.None))
            rows.Add(row);
        return (rows, context);
    }

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public async Task Csv_SniffsTheDelimiter_ToleratesABom_AndNumbersRowsLikeASpreadsheet(string d)
    {
        var (rows, _) = await ReadAsync(new CsvImportReader(),
            $"URL{d}anchor{d}priority{d}extra\nhttps://a.example/1{d}first{d}10{d}x\nhttps://a.example/2{d}{d}{d}\n", bom: true);
        Assert.Equal([(2L, "https://a.example/1", "first", "10"), (3L, "https://a.example/2", null, null)],
            rows.Select(r => (r.Number, r.Url, r.Anchor, r.Priority)));
    }

    [Fact]
    public async Task Csv_WithoutAUrlColumn_IsRefusedNamingTheColumnsFound()
    {
        var e = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(new CsvImportReader(), "link,anchor\nhttps://a.example/,x\n"));
        Assert.Contains("'link'", e.Message);
    }

    [Fact]
    public async Task Csv_AMalformedRow_IsReportedAndTheNextRowsStillRead()
    {
        var (rows, _) = await ReadAsync(new CsvImportReader(), "url,note\nhttps://a.example/1,ok\nhttps://a.example/2,\"bro\"ken\"\nhttps://a.example/3,fine\n");
        Assert.Equal(3, rows.Count);
        Assert.NotNull(rows[1].ReadError);
        Assert.Equal(("https://a.example/3", (string?)null), (rows[2].Url, rows[2].ReadError));
    }

    [Fact]
    public async Task Json_ReadsAnArrayOfObjects_InEitherNaming()
    {
        var (rows, _) = await ReadAsync(new JsonImportReader(),
            """[{"url":"https://a.example/1","targetUrl":"https://client.example/"},{"url":"https://a.example/2","target_url":"https://c.example/","priority":7}, 5]""");
        Assert.Equal(3, rows.Count);
        Assert.Equal(("https://client.example/", "https://c.example/", "7"), (rows[0].TargetUrl, rows[1].TargetUrl, rows[1].Priority));
        Assert.Contains("not an object", rows[2].ReadError);
    }

    [Fact]
    public async Task Json_ThatIsNotAnArray_IsRefused() =>
        await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(new JsonImportReader(), """{"url":"https://a.example/"}"""));

    [Fact]
    public async Task Json_BrokenAfterSomeRows_KeepsThoseRows_AndSaysWhereItStopped()
    {
        var (rows, context) = await ReadAsync(new JsonImportReader(), """[{"url":"https://a.example/1"},{"url":"https://a.example/2"},{"url":""");
        Assert.Equal(2, rows.Count);
        Assert.Contains("past row 2", context.Aborted);
    }

    [Fact]
    public async Task Sitemap_UrlsetLocs_AreRows()
    {
        var (rows, context) = await ReadAsync(new SitemapImportReader(), """
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc> https://a.example/1 </loc><lastmod>2026-11-01</lastmod></url>
              <url><loc>https://a.example/2</loc></url>
            </urlset>
            """);
        Assert.Equal(["https://a.example/1", "https://a.example/2"], rows.Select(r => r.Url));
        Assert.Empty(context.ChildSitemaps);
    }

    [Fact]
    public async Task SitemapIndex_QueuesItsChildSitemaps_AndImportsNoRows()
    {
        var (rows, context) = await ReadAsync(new SitemapImportReader(), """
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://a.example/sitemap-1.xml</loc><lastmod>2026-11-01</lastmod></sitemap>
              <sitemap><loc>https://a.example/sitemap-2.xml</loc></sitemap>
            </sitemapindex>
            """);
        Assert.Empty(rows);
        Assert.Equal(["https://a.example/sitemap-1.xml", "https://a.example/sitemap-2.xml"], context.ChildSitemaps);
    }

    [Fact]
    public async Task Sitemap_WithADtd_IsRefused() =>
        await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(new SitemapImportReader(),
            """<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x "y">]><urlset><url><loc>&x;</loc></url></urlset>"""));

    [Fact]
    public async Task Xml_ThatIsNotASitemap_IsRefusedNamingItsRoot()
    {
        var e = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(new SitemapImportReader(), "<rss><channel/></rss>"));
        Assert.Contains("<rss>", e.Message);
    }
}
