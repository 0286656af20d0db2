using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>Loads the master key at start-up, so a missing or malformed one stops the Host with the reason.</summary>
internal sealed partial class MasterKeyCheck(IServiceProvider services, ILogger<MasterKeyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var key = services.GetRequiredService<MasterKey>();
        LogLoaded(logger, key.Id, key.Source);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential master key {KeyId} loaded from {Source}")]
    private static partial void LogLoaded(ILogger logger, string keyId, string source);
}
