using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>Makes the primary handler of every request to the outside world (publishers' sites, engines' APIs).</summary>
public interface IOutboundHandlerFactory
{
    HttpMessageHandler CreateHandler();
}

/// <summary>
/// Production: straight to the network, never through a proxy, redirects never followed automatically (each hop is
/// checked by the caller), bounded connect time.
/// </summary>
public sealed class DirectOutboundHandlerFactory : IOutboundHandlerFactory
{
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };
}

public static class OutboundHttp
{
    /// <summary>The named HttpClient for requests to the outside world.</summary>
    public const string ClientName = "outbound";

    /// <summary>Registers the outbound client; Sandbox mode replaces <see cref="IOutboundHandlerFactory"/>.</summary>
    public static IServiceCollection AddOutboundHttp(this IServiceCollection services)
    {
        services.TryAddSingleton<IOutboundHandlerFactory, DirectOutboundHandlerFactory>();
        services.AddHttpClient(ClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(30);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BacklinkOrleans/1.0 (+https://github.com/backlink-orleans)");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOutboundHandlerFactory>().CreateHandler())
            // The default request logging writes full URLs, and some carry secrets (an IndexNow key file is named
            // after its key): callers log what they fetch themselves, redacted.
            .RemoveAllLoggers();
        return services;
    }
}
