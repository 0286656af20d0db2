using BacklinkOrleans.Testing;
using Npgsql;

namespace BacklinkOrleans.Host.Tests;

public sealed class VerbTests
{
    [Fact]
    public async Task Migrate_CreatesTheSchemaOnAnEmptyPostgres_AndExits()
    {
        var postgres = await TestPostgres.CreateDatabaseAsync("verb");
        var settings = new HostProcess.Settings(Path.GetTempPath(), postgres);

        var (exitCode, output) = await HostProcess.RunVerbAsync(settings, "migrate");

        Assert.True(exitCode == 0, output);
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM orleansquery", connection);
        Assert.True((long)(await count.ExecuteScalarAsync())! >= 19, "the ADO.NET providers' queries are installed");
        var again = await HostProcess.RunVerbAsync(settings, "migrate");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("(0 migrations applied now)", again.Output);
    }

    [Fact]
    public async Task Migrate_AgainstAnUnreachableDatabase_FailsSayingWhich()
    {
        var settings = new HostProcess.Settings(Path.GetTempPath(), $"Host=127.0.0.1;Port={FreePorts.Next()};Username=nobody;Database=none;Timeout=3");
        var (exitCode, output) = await HostProcess.RunVerbAsync(settings, "migrate");
        Assert.Equal(1, exitCode);
        Assert.Contains("Could not migrate PostgreSQL 127.0.0.1", output);
    }

    [Fact]
    public async Task AClusterHostWithoutAMasterKey_RefusesToStart_NamingTheSetting()
    {
        var settings = new HostProcess.Settings(Path.GetTempPath(), await TestPostgres.CreateDatabaseAsync("nokey")) { MasterKey = "" };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(settings));
        Assert.Contains("exited with 1 ", failure.Message);
        Assert.Contains("Configuration error: No master key for credential encryption: set DataProtection__MasterKey", failure.Message);
    }

    [Fact]
    public async Task AnInvalidSetting_StopsTheStart_NamingTheSettingAndTheRule()
    {
        await using var folder = TempFolder.Create("backlink-badconfig-");
        var settings = new HostProcess.Settings(folder.Path, null)
        {
            Environment = new Dictionary<string, string> { ["Submission__IndexNow__MaxBatchSize"] = "20000" },
        };
        var (exitCode, output) = await HostProcess.RunVerbAsync(settings, "serve");
        Assert.Equal(1, exitCode);
        Assert.Contains("Configuration error: Submission:IndexNow:MaxBatchSize must be between 1 and 10000", output);
    }

    [Fact]
    public async Task AnUnknownVerb_PrintsUsage_AndExitsWithTwo()
    {
        var (exitCode, output) = await HostProcess.RunVerbAsync(new HostProcess.Settings(Path.GetTempPath(), null), "frobnicate");
        Assert.Equal(2, exitCode);
        Assert.Contains("usage: BacklinkOrleans.Host", output);
    }

    /// <summary>The <c>sandbox</c> verb: its world file is the owner's only, and its control API takes only the file's key.</summary>
    [Fact]
    public async Task TheSandboxVerb_WritesAnOwnerOnlyWorldFile_AndItsControlApiTakesOnlyItsKey()
    {
        await using var folder = TempFolder.Create("backlink-sandbox-verb-");
        await using var sandbox = await SandboxProcess.StartAsync(folder.Path);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sandbox.WorldFile));
        using (var published = await sandbox.Control.PutAsync("/sandbox/sites/a.example/post", new StringContent("hello")))
            Assert.Equal(System.Net.HttpStatusCode.OK, published.StatusCode);
        using var stranger = new HttpClient { BaseAddress = sandbox.Control.BaseAddress };
        stranger.DefaultRequestHeaders.Add("X-Api-Key", "not-the-control-key");
        using var refused = await stranger.PutAsync("/sandbox/sites/a.example/post", new StringContent("forged"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        using var anonymous = await new HttpClient().GetAsync(new Uri(sandbox.Control.BaseAddress!, "/sandbox/requests"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task AHostPointedAtAMissingWorldFile_RefusesToStart_SayingToStartTheSandboxFirst()
    {
        await using var folder = TempFolder.Create("backlink-noworld-");
        var settings = new HostProcess.Settings(folder.Path, null)
        {
            Environment = new Dictionary<string, string> { ["Sandbox__World"] = Path.Combine(folder.Path, "none.json"), ["Sandbox__WorldWait"] = "00:00:01" },
        };
        var (exitCode, output) = await HostProcess.RunVerbAsync(settings, "serve");
        Assert.Equal(1, exitCode);
        Assert.Contains("Configuration error: Sandbox:World: no Sandbox world file at", output);
        Assert.Contains("start the Sandbox first", output);
    }
}
