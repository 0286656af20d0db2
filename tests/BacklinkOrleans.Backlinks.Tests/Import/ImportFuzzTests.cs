using System.Text;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Backlinks.Tests.Import;

/// <summary>
/// Random bytes, truncations and corruptions of valid CSV, JSON and sitemap uploads: the importer either answers with
/// counts that add up (every row accepted, duplicate or refused with a reason) or refuses the file with a sentence —
/// never another exception. Seeds are fixed, so a failure names the input that caused it and repeats.
/// </summary>
public sealed class ImportFuzzTests
{
    private const string Csv = "url;target_url;anchor;note;priority\nhttps://a.example/1;https://client.example/;first;\"a note; with a \"\"quote\"\"\";10\n"
        + "https://a.example/2;;;;\n\"https://a.example/3\";;second;x;99\nhttps://b.example/caf\u00e9;;;;\n";

    private const string Json = """[{"url":"https://a.example/1","targetUrl":"https://client.example/","priority":10},{"url":"https://a.example/2","note":"x\"y\\z"},""" +
        """{"url":"https://a.example/3","anchor":"a\u00e9"},{"url":"https://b.example/caf\u00e9","priority":"7"}]""";

    private const string Sitemap = """<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">""" +
        "<url><loc>https://a.example/1</loc><lastmod>2026-11-01</lastmod></url><url><loc><![CDATA[https://a.example/2]]></loc></url>" +
        "<url><loc>https://a.example/3?a=1&amp;b=2</loc></url></urlset>";

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var format in new[] { "csv", "json", "sitemap" })
            for (var seed = 1; seed <= 8; seed++)
                data.Add(format, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MutatedUploads_AreAnsweredRowByRow_OrRefusedWithASentence(string format, int seed)
    {
        var random = new Random(seed);
        var valid = Encoding.UTF8.GetBytes(format switch { "csv" => Csv, "json" => Json, _ => Sitemap });
        for (var i = 0; i < 250; i++)
        {
            var input = Mutate(valid, random);
            IImportReader reader = format switch { "csv" => new CsvImportReader(), "json" => new JsonImportReader(), _ => new SitemapImportReader() };
            ImportResult result;
            try
            {
                result = await new BacklinkImporter(new FirstSeen()).ImportAsync(TenantId.From("acme"), "c1", reader, new MemoryStream(input), CancellationToken.None);
            }
            catch (ImportFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.DoesNotContain("System.", e.Message);
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"{format} seed {seed} input {i} ({Convert.ToBase64String(input)}) threw {e}");
                throw;
            }
            Assert.Equal(result.Rows, result.Accepted + result.Duplicate + result.Rejected);
            Assert.Equal(result.Rejected, result.Errors.Count);
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        }
    }

    /// <summary>One of: random bytes; a truncation; flipped bytes; inserted structural characters; a slice repeated.</summary>
    private static byte[] Mutate(byte[] valid, Random random)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new byte[random.Next(0, 400)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return valid[..random.Next(0, valid.Length)];
            case 2:
                var flipped = (byte[])valid.Clone();
                for (var n = random.Next(1, 6); n > 0; n--)
                    flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
            case 3:
                var list = valid.ToList();
                for (var n = random.Next(1, 6); n > 0; n--)
                    list.Insert(random.Next(list.Count), "\"[]{},;<>&\\\n\r\0\u00ff"u8[random.Next(14)]);
                return [.. list];
            default:
                var from = random.Next(valid.Length);
                var slice = valid[from..Math.Min(valid.Length, from + random.Next(1, 60))];
                var at = random.Next(valid.Length);
                return [.. valid[..at], .. slice, .. slice, .. valid[at..]];
        }
    }

    private sealed class FirstSeen : IBacklinkCollector
    {
        private readonly HashSet<string> seen = [];

        public Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken)
        {
            lock (seen)
                return Task.FromResult<IReadOnlyList<CollectOutcome>>([.. rows.Select(r => new CollectOutcome(seen.Add(r.UrlHash) ? CollectResult.Collected : CollectResult.Duplicate))]);
        }
    }
}
