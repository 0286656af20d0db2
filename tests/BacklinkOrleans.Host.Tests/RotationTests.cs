using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

/// <summary>
/// The master key rotates with its verb (ADR 0023): afterwards the credentials open under the new key only, the log's
/// chains verify under the new chain key only, and the old key makes the audit fail.
/// </summary>
public sealed class RotationTests
{
    [Fact]
    public async Task RotatingTheMasterKey_ReencryptsTheCredentials_AndRekeysTheChains_SoOnlyTheNewKeyWorks()
    {
        await using var folder = TempFolder.Create("backlink-rotate-");
        var sandbox = new Dictionary<string, string> { ["Sandbox__Enabled"] = "true" };
        var oldKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var before = new HostProcess.Settings(folder.Path, null) { MasterKey = oldKey, Environment = sandbox };
        string apiKey, credential;
        await using (var host = await HostProcess.StartAsync(before))
        {
            using var created = await host.Operator.PostAsJsonAsync("/api/v1/tenants", new { id = "rotation", name = "Rotation" });
            apiKey = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["key"]!["apiKey"]!;
            using var api = Client(host, apiKey);
            using (await host.Operator.PutAsync("/sandbox/sites/rotate.example/Rotate-Key-1234.txt", new StringContent("Rotate-Key-1234"))) { }
            using var added = await api.PostAsJsonAsync("/api/v1/credentials", new { kind = "indexnow", host = "rotate.example", key = "Rotate-Key-1234" });
            credential = (string)JsonNode.Parse(await added.Content.ReadAsStringAsync())!["id"]!;
            Assert.Contains("\"verified\"", await VerifyAsync(api, credential));
            using var campaign = await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Rotation", client = "Acme" });
            var id = (string)JsonNode.Parse(await campaign.Content.ReadAsStringAsync())!["id"]!;
            using (await api.PostAsync($"/api/v1/campaigns/{id}/backlinks", new StringContent("url\nhttps://rotate.example/a\nhttps://rotate.example/b\n", Encoding.UTF8, "text/csv"))) { }
        }

        var newKeyFile = Path.Combine(folder.Path, "new-master.key");
        var (rotated, rotation) = await HostProcess.RunVerbAsync(before, $"rotate-master-key --new-key-file {newKeyFile}", TimeSpan.FromMinutes(2));
        Assert.True(rotated == 0, rotation);
        Assert.Contains("events verified and rehashed", rotation);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(newKeyFile));
        var after = new HostProcess.Settings(folder.Path, null) { MasterKey = File.ReadAllText(newKeyFile).Trim(), Environment = sandbox };

        var (oldAudit, oldOutput) = await HostProcess.RunVerbAsync(new HostProcess.Settings(folder.Path, null) { MasterKey = oldKey }, "audit verify");
        var (newAudit, newOutput) = await HostProcess.RunVerbAsync(after, "audit verify");
        Assert.True(oldAudit == 3, oldOutput);
        Assert.Contains("were made with chain key", oldOutput);
        Assert.True(newAudit == 0, newOutput);

        var stale = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(new HostProcess.Settings(folder.Path, null) { MasterKey = oldKey }));
        Assert.Contains("were made with chain key", stale.Message); // a Host with the old key does not start

        await using (var host = await HostProcess.StartAsync(after))
        {
            using var api = Client(host, apiKey);
            using (await host.Operator.PutAsync("/sandbox/sites/rotate.example/Rotate-Key-1234.txt", new StringContent("Rotate-Key-1234"))) { } // the Sandbox lives in the Host
            Assert.Contains("\"verified\"", await VerifyAsync(api, credential)); // the secret opens under the new key
        }
    }

    private static HttpClient Client(HostProcess host, string apiKey) =>
        new() { BaseAddress = host.Http.BaseAddress, DefaultRequestHeaders = { { "X-Api-Key", apiKey } } };

    private static async Task<string> VerifyAsync(HttpClient api, string credential)
    {
        using var verify = await api.PostAsync($"/api/v1/credentials/{credential}/verify", null);
        return await verify.Content.ReadAsStringAsync();
    }
}
