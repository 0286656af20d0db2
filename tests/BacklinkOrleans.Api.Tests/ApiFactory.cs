using System.Net.Http.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The real Host (silo included) in memory, on a real database of one profile.</summary>
public abstract class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key-0123456789";
    public static readonly string MasterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly TempFolder? ownFolder;
    private readonly string folder;

    /// <param name="dataFolder">the data folder to use, which the caller owns; by default a temp folder of its own, removed on dispose</param>
    protected ApiFactory(string? dataFolder = null, string? masterKey = null)
    {
        ownFolder = dataFolder is null ? TempFolder.Create("backlink-api-") : null;
        folder = dataFolder ?? ownFolder!.Path;
        MasterKeySetting = masterKey ?? MasterKey;
    }

    /// <summary>The master key this Host is configured with (base64).</summary>
    public string MasterKeySetting { get; }
    private string? postgres;

    /// <summary>Every log line the Host wrote (BacklinkOrleans and ASP.NET Core categories, all levels).</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The embedded profile's data folder (SQLite files, master key).</summary>
    public string DataFolder => folder;

    /// <summary>The cluster profile's database, when this factory runs it.</summary>
    public string? Postgres => postgres;

    protected abstract bool Cluster { get; }

    public async Task InitializeAsync()
    {
        if (Cluster)
            postgres = await TestPostgres.CreateDatabaseAsync("api");
        _ = Server; // start the host now, not inside the first test
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Postgres", postgres ?? "");
        builder.UseSetting("Storage:DataDirectory", folder);
        builder.UseSetting("Cluster:ClusterId", $"api-{Guid.NewGuid():N}");
        builder.UseSetting("Cluster:SiloPort", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Cluster:GatewayPort", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Accounts:OperatorKey", OperatorKey);
        builder.UseSetting("DataProtection:MasterKey", MasterKeySetting);
        builder.UseSetting("Sandbox:Enabled", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging
            .AddProvider(Logs)
            .AddFilter<CapturedLogs>("BacklinkOrleans", LogLevel.Trace)
            .AddFilter<CapturedLogs>("Microsoft.AspNetCore", LogLevel.Trace)
            .AddFilter<CapturedLogs>("System.Net.Http", LogLevel.Trace));
        ConfigureMore(builder);
    }

    /// <summary>Settings of a factory for a particular suite.</summary>
    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    /// <summary>A client with no key.</summary>
    public HttpClient Anonymous() => CreateClient();

    public HttpClient WithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public HttpClient Operator() => WithKey(OperatorKey);

    /// <summary>A new tenant and a client holding its key.</summary>
    public async Task<(string Tenant, HttpClient Client)> NewTenantAsync()
    {
        var id = $"t-{Guid.NewGuid():N}"[..20];
        using var response = await Operator().PostAsJsonAsync("/api/v1/tenants", new CreateTenantRequest(id, $"Agency {id}"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<CreatedTenant>())!;
        return (id, WithKey(created.Key.ApiKey));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (ownFolder is not null)
            await ownFolder.DisposeAsync();
    }
}

public sealed class EmbeddedApiFactory : ApiFactory
{
    protected override bool Cluster => false;
}

/// <summary>An embedded Host whose lifecycle moves fast: sweeps every second, quick retries of unreadable robots.txt.</summary>
public sealed class FastLifecycleApiFactory : ApiFactory
{
    protected override bool Cluster => false;

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        builder.UseSetting("Reminders:MinimumPeriod", "00:00:01");
        builder.UseSetting("Backlinks:SweepPeriod", "00:00:01");
        builder.UseSetting("Backlinks:UnboundPortRetry", "00:00:01");
        builder.UseSetting("Validation:RobotsRetryAfter", "00:00:00.500");
    }
}

/// <summary>An embedded Host over a given data folder and master key: start one, dispose it, start another (a restart).</summary>
public sealed class RestartableApiFactory(string dataFolder, string masterKey) : ApiFactory(dataFolder, masterKey)
{
    protected override bool Cluster => false;
}

public sealed class ClusterApiFactory : ApiFactory
{
    protected override bool Cluster => true;
}
