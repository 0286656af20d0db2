using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Storage;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// On the embedded profile's first start (no tenant yet) creates the tenant "default" and an operator key, and
/// writes both keys to <c>data/first-run-keys.txt</c>, readable only by the owner; the log says where. The keys are
/// shown nowhere else: only their hashes are stored.
/// </summary>
internal sealed partial class FirstRunKeys(
    StorageSettings storage,
    ITenantAdministration tenants,
    IConfiguration configuration,
    ILogger<FirstRunKeys> logger) : IHostedService
{
    public const string FileName = "first-run-keys.txt";
    public static readonly TenantId DefaultTenant = TenantId.From("default");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.IsCluster || await tenants.AnyTenantAsync(cancellationToken))
            return;
        var created = await tenants.CreateAsync(DefaultTenant, "Default agency", cancellationToken);
        if (created is null)
            return; // created concurrently by another start

        // The tenant key is written before anything else can fail: it is shown nowhere else.
        var path = Path.Combine(Path.GetDirectoryName(storage.SqlitePath)!, FileName);
        await using (var writer = OwnerOnlyFile.Create(path, FileMode.Create))
        {
            await writer.WriteLineAsync("# BacklinkOrleans first-run keys. They are shown only here: only their SHA-256 is stored.");
            await writer.WriteLineAsync("# Send one in the X-Api-Key header. Move them somewhere safe and delete this file.");
            await writer.WriteLineAsync($"tenant={DefaultTenant.Value}");
            await writer.WriteLineAsync($"tenant_api_key={created.Key.ApiKey}");
            await writer.FlushAsync(cancellationToken);
            var operatorKey = configuration["Accounts:OperatorKey"] is { Length: >= 16 }
                ? "(set by Accounts:OperatorKey)"
                : await tenants.IssueOperatorKeyAsync("first-run operator key", cancellationToken);
            await writer.WriteLineAsync($"operator_api_key={operatorKey}");
        }
        LogCreated(logger, DefaultTenant.Value, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start: created tenant '{Tenant}' with an API key, and an operator key. Both are in {Path} (readable only by you)")]
    private static partial void LogCreated(ILogger logger, string tenant, string path);
}
