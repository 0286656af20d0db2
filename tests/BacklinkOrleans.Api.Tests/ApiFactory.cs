using System.Net.Http.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The real Host (silo included) in memory, on a real database of one profile.</summary>
public abstract class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key-0123456789";
    private readonly string folder = Directory.CreateTempSubdirectory("backlink-api-").FullName;
    private string? postgres;

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
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

public sealed class EmbeddedApiFactory : ApiFactory
{
    protected override bool Cluster => false;
}

public sealed class ClusterApiFactory : ApiFactory
{
    protected override bool Cluster => true;
}
