using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>Makes the primary handler of every request to the outside world (publishers' sites, engines' APIs).</summary>
public interface IOutboundHandlerFactory
{
    HttpMessageHandler CreateHandler();
}

public static class OutboundHttp
{
    /// <summary>The named HttpClient for requests to the outside world.</summary>
    public const string ClientName = "outbound";

    /// <summary>
    /// Registers the outbound client with the SSRF guard (<see cref="GuardedOutboundHandlerFactory"/>); Sandbox
    /// mode replaces <see cref="IOutboundHandlerFactory"/> with its own, which reaches only the simulated world.
    /// </summary>
    public static IServiceCollection AddOutboundHttp(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Registered)))
            return services; // several modules fetch; one registration
        services.AddSingleton<Registered>();
        services.AddOptions<OutboundOptions>().Configure<IServiceProvider>((options, sp) =>
            sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>()?.GetSection("Outbound").Bind(options));
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<IOutboundHandlerFactory, GuardedOutboundHandlerFactory>();
        services.AddHttpClient(ClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(30);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BacklinkOrleans/1.0 (+https://github.com/backlink-orleans)");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOutboundHandlerFactory>().CreateHandler())
            .ConfigurePrimaryHttpMessageHandler((handler, sp) =>
                LimitConnections(handler, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboundOptions>>().Value.MaxConnectionsPerSite))
            // The default request logging writes full URLs, and some carry secrets (an IndexNow key file is named
            // after its key): callers log what they fetch themselves, redacted.
            .RemoveAllLoggers();
        return services;
    }

    /// <summary>
    /// Caps the connections <paramref name="handler"/> opens to one server (the socket handler at the bottom of its
    /// chain; a handler without one is left as it is). Requests beyond the cap wait for a connection; one that times out
    /// waiting was never sent.
    /// </summary>
    public static void LimitConnections(HttpMessageHandler handler, int perServer)
    {
        if (perServer < 1)
            throw new ArgumentOutOfRangeException(nameof(perServer), perServer, "At least one connection per server is needed.");
        for (var current = handler; current is not null; current = (current as DelegatingHandler)?.InnerHandler)
        {
            if (current is SocketsHttpHandler sockets)
            {
                sockets.MaxConnectionsPerServer = perServer;
                return;
            }
        }
    }

    private sealed class Registered;
}
