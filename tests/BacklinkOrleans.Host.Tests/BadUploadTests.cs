using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// Bad uploads against a real Host process: a 200 MB field in each format is one row error, the rows around it are
/// imported, and the Host's peak RSS stays under 500 MB; random and corrupted bodies are answered 200 (row errors) or
/// 400 (a sentence), never 500.
/// </summary>
public sealed class BadUploadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long Huge = 200L * 1024 * 1024;

    [Fact]
    public async Task A200MegabyteFieldInEachFormat_IsOneRowError_TheRowsAroundItCount_AndTheHostStaysUnder500MB()
    {
        await using var temp = TempFolder.Create("backlink-uploads-");
        await using var host = await HostProcess.StartAsync(new HostProcess.Settings(temp.Path, null));
        var (api, campaign) = await CampaignAsync(host);

        var csv = await UploadAsync(api, campaign, "text/csv", "url,note\nhttps://a.example/1,ok\nhttps://a.example/2,\"", "\"\nhttps://a.example/3,after\n");
        var json = await UploadAsync(api, campaign, "application/json", """[{"url":"https://b.example/1"},{"url":"https://b.example/""", "\"},{\"url\":\"https://b.example/3\"}]");
        var xml = await UploadAsync(api, campaign, "application/xml", "<urlset><url><loc>https://c.example/1</loc></url><url><loc>https://c.example/",
            "</loc></url><url><loc>https://c.example/3</loc></url></urlset>");

        foreach (var (result, row) in new[] { (csv, 3L), (json, 2L), (xml, 2L) })
        {
            Assert.Equal((3L, 2L, 1L), ((long)result["rows"]!, (long)result["accepted"]!, (long)result["rejected"]!));
            Assert.Equal(row, (long)result["errors"]![0]!["row"]!);
        }
        var peak = PeakRssMegabytes(host.ProcessId);
        output.WriteLine($"the Host's peak RSS: {peak} MB");
        Assert.True(peak < 500, $"the Host's peak RSS was {peak} MB while reading three uploads with a {Huge / 1024 / 1024} MB field each");
    }

    [Fact]
    public async Task RandomAndCorruptedBodies_AreAnswered200Or400_NeverA500()
    {
        await using var temp = TempFolder.Create("backlink-uploads-");
        await using var host = await HostProcess.StartAsync(new HostProcess.Settings(temp.Path, null));
        var (api, campaign) = await CampaignAsync(host);
        var valid = new Dictionary<string, byte[]>
        {
            ["text/csv"] = "url,anchor\nhttps://a.example/1,one\n\"https://a.example/2\",\"two, quoted\"\n"u8.ToArray(),
            ["application/json"] = """[{"url":"https://a.example/1"},{"url":"https://a.example/2","priority":5}]"""u8.ToArray(),
            ["application/xml"] = "<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></url></urlset>"u8.ToArray(),
        };
        var random = new Random(18);
        var answers = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var (type, body) = valid.ElementAt(i % 3);
            var input = (i / 3 % 3) switch
            {
                0 => body[..random.Next(body.Length)],
                1 => [.. body.Select(b => random.Next(12) == 0 ? (byte)random.Next(256) : b)],
                _ => RandomBytes(random),
            };
            using var response = await api.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", new ByteArrayContent(input) { Headers = { ContentType = new(type) } });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{type} {Convert.ToBase64String(input)}: {(int)response.StatusCode} {text}");
            Assert.DoesNotContain("System.", text);
            answers.Add($"{(int)response.StatusCode}");
        }
        Assert.Contains("200", answers);
        Assert.Contains("400", answers);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/campaigns/{campaign}")).StatusCode); // the Host still serves
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task<(HttpClient Api, string Campaign)> CampaignAsync(HostProcess host)
    {
        using var created = await host.Operator.PostAsJsonAsync("/api/v1/tenants", new { id = "uploads", name = "Uploads" });
        var tenant = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var api = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5), DefaultRequestHeaders = { { "X-Api-Key", (string)tenant["key"]!["apiKey"]! } } };
        using var campaign = await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Uploads", client = "Acme" });
        return (api, (string)JsonNode.Parse(await campaign.Content.ReadAsStringAsync())!["id"]!);
    }

    /// <summary>Uploads a prefix, 200 MB of 'x' and a suffix, generated as sent (never held in memory).</summary>
    private static async Task<JsonNode> UploadAsync(HttpClient api, string campaign, string type, string prefix, string suffix)
    {
        using var content = new StreamContent(new GeneratedBody(prefix, (byte)'x', Huge, suffix), 64 * 1024)
        {
            Headers = { ContentType = new(type) },
        };
        using var response = await api.PostAsync($"/api/v1/campaigns/{campaign}/backlinks", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{type}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static long PeakRssMegabytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
}
