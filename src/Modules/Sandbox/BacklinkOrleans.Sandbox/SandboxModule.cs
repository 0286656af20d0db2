using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Sandbox;

/// <summary>Starts the Sandbox with the Host and holds it; available once the Host has started.</summary>
public sealed partial class SandboxHost(TimeProvider time, IConfiguration configuration, ILogger<SandboxHost> logger) : IHostedService, IAsyncDisposable
{
    private SandboxServer? server;

    public SandboxServer Server => server ?? throw new InvalidOperationException("The Sandbox has not started yet.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        server = await SandboxServer.StartAsync(time, cancellationToken,
            configuration.GetValue("Sandbox:RequestLogCapacity", Contracts.RequestLog.DefaultCapacity));
        LogStarted(logger, server.HttpPort, server.HttpsPort);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
            await server.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SANDBOX MODE: every outbound request goes to the simulated world on 127.0.0.1 (http {HttpPort}, https {HttpsPort}); nothing reaches real sites or search engines")]
    private static partial void LogStarted(ILogger logger, int httpPort, int httpsPort);
}

public static class SandboxModule
{
    /// <summary>
    /// Sandbox mode: the simulated world starts before everything else, and the outbound HTTP stack sends every
    /// host name to it (trusting only its CA). Only ever registered when configuration asks for it.
    /// </summary>
    public static IServiceCollection AddSandboxMode(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SandboxHost>();
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<SandboxHost>()));
        services.Replace(ServiceDescriptor.Singleton<IOutboundHandlerFactory, SandboxOutboundHandlerFactory>());
        return services;
    }

    private sealed class SandboxOutboundHandlerFactory(SandboxHost sandbox) : IOutboundHandlerFactory
    {
        public HttpMessageHandler CreateHandler() => sandbox.Server.CreateHandler();
    }
}
