using System.Text;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Backlinks.Tests.Import;

/// <summary>
/// Bad input in every import format: each bad row is an error naming its row and reason, the rows before and after it
/// count, and an oversized field costs no more memory than a short one (the heap is measured, so this runs alone).
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class BadInputTests
{
    private const long Huge = 200L * 1024 * 1024;

    private static async Task<ImportResult> ImportAsync(IImportReader reader, Stream body) =>
        await new BacklinkImporter(new EveryRowNew()).ImportAsync(TenantId.From("acme"), "c1", reader, body, CancellationToken.None);

    private static Stream Text(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    private sealed class EveryRowNew : IBacklinkCollector
    {
        public Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<CollectOutcome>>([.. rows.Select(_ => new CollectOutcome(CollectResult.Collected))]);
    }

    [Fact]
    public async Task Csv_AStrayQuote_RefusesItsRowOnly_AndTheRowsAfterItCount()
    {
        var result = await ImportAsync(new CsvImportReader(), Text(
            "url,note\nhttps://a.example/1,ok\nhttps://a.example/2,\"never closed\nhttps://a.example/3,fine\nhttps://a.example/4,\"quoted, with \"\"quotes\"\"\"\n"));

        Assert.Equal((4L, 3L, 1L), (result.Rows, result.Accepted, result.Rejected));
        var error = Assert.Single(result.Errors);
        Assert.Equal((3L, "row"), (error.Row, error.Field));
        Assert.Contains("not closed on its line", error.Reason);
    }

    [Fact]
    public async Task Csv_A200MegabyteField_IsARowError_TheRowsAroundItCount_AndTheHeapStaysSmall()
    {
        var before = Heap();
        using var body = new GeneratedBody("url,note\nhttps://a.example/1,ok\nhttps://a.example/2,\"", (byte)'x', Huge, "\"\nhttps://a.example/3,after\n", sampleHeap: true);

        var result = await ImportAsync(new CsvImportReader(), body);

        Assert.Equal((3L, 2L), (result.Rows, result.Accepted));
        var error = Assert.Single(result.Errors);
        Assert.Equal(3L, error.Row);
        Assert.Contains("longer than 64 KiB", error.Reason);
        AssertSmall(body.PeakHeap - before);
    }

    [Fact]
    public async Task Json_A200MegabyteString_IsARowError_TheRowsAroundItCount_AndTheHeapStaysSmall()
    {
        var before = Heap();
        using var body = new GeneratedBody("""[{"url":"https://a.example/1"},{"url":"https://a.example/""", (byte)'x', Huge, "\"},{\"url\":\"https://a.example/3\"}]", sampleHeap: true);

        var result = await ImportAsync(new JsonImportReader(), body);

        Assert.Equal((3L, 2L), (result.Rows, result.Accepted));
        var error = Assert.Single(result.Errors);
        Assert.Equal(2L, error.Row);
        Assert.Contains("larger than 64 KiB", error.Reason);
        Assert.Null(result.Aborted);
        AssertSmall(body.PeakHeap - before);
    }

    [Fact]
    public async Task Sitemap_A200MegabyteLoc_IsARowError_TheUrlsAroundItCount_AndTheHeapStaysSmall()
    {
        var before = Heap();
        using var body = new GeneratedBody("<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/", (byte)'x', Huge,
            "</loc></url><url><loc>https://a.example/3</loc></url></urlset>", sampleHeap: true);

        var result = await ImportAsync(new SitemapImportReader(), body);

        Assert.Equal((3L, 2L), (result.Rows, result.Accepted));
        var error = Assert.Single(result.Errors);
        Assert.Equal((2L, "url"), (error.Row, error.Field));
        Assert.Contains("longer than 2,048 characters", error.Reason);
        AssertSmall(body.PeakHeap - before);
    }

    [Fact]
    public async Task Json_AnElementThatIsNotValidJson_OrNotUtf8_IsRefused_AndTheElementsAroundItCount()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"url":"https://a.example/1"}, {"url": https://a.example/2}, {"url":"https://a.example/caf""")
            .Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\", \"note\":1}, {\"url\":\"https://a.example/4\", \"note\": {\"deep\": [1, \"]\"]}}]")).ToArray();

        var result = await ImportAsync(new JsonImportReader(), new MemoryStream(bytes));

        Assert.Equal((4L, 2L), (result.Rows, result.Accepted));
        Assert.Equal([2L, 3L], result.Errors.Select(e => e.Row));
        Assert.Contains("row 2 is not valid JSON", result.Errors[0].Reason);
        Assert.Contains("not valid UTF-8", result.Errors[1].Reason);
        Assert.All(result.Errors, e => Assert.DoesNotContain("System.", e.Reason));
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("   \n ", "The body is empty")]
    [InlineData("{\"url\":\"https://a.example/\"}", "not a JSON array")]
    public async Task Json_AnEmptyBodyOrAnObject_IsRefusedWithASentence(string body, string expected)
    {
        var e = await Assert.ThrowsAsync<ImportFormatException>(() => ImportAsync(new JsonImportReader(), Text(body)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("System.", e.Message);
        Assert.Contains("[{\"url\"", e.Message);
    }

    [Fact]
    public async Task Csv_SavedAsUtf16_IsRefusedSayingHowToSaveIt()
    {
        var e = await Assert.ThrowsAsync<ImportFormatException>(() => ImportAsync(new CsvImportReader(),
            new MemoryStream(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("url\nhttps://a.example/\n")).ToArray())));
        Assert.Contains("save it as UTF-8", e.Message);
    }

    [Fact]
    public async Task ASitemapIndex_QueuesAtMostItsCap_AndSaysSo()
    {
        var index = new StringBuilder("<sitemapindex>");
        for (var i = 0; i < SitemapLimits.PerIndex + 500; i++)
            index.Append($"<sitemap><loc>https://a.example/sitemap-{i}.xml</loc></sitemap>");
        index.Append("</sitemapindex>");

        var result = await ImportAsync(new SitemapImportReader(), Text(index.ToString()));

        Assert.Equal(SitemapLimits.PerIndex, result.QueuedSitemaps.Count);
        Assert.Contains($"more than {SitemapLimits.PerIndex:N0} sitemaps", result.Aborted);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The field of 200 MB is far larger than what reading it may keep: the live heap grows by less than 32 MB.</summary>
    private static void AssertSmall(long growth) =>
        Assert.True(growth < 32L * 1024 * 1024, $"the live heap grew by {growth / 1024 / 1024} MB while reading a {Huge / 1024 / 1024} MB field");
}
