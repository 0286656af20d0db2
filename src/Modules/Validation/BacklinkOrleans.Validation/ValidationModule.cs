using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Validation.Probing;
using BacklinkOrleans.Validation.Robots;
using BacklinkOrleans.Validation.Sitemaps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.Validation;

public static class ValidationModule
{
    /// <summary>
    /// Binds the lifecycle's validate port (URL rules, robots.txt for the routed channels' crawlers, page probe) and the
    /// sitemap fetcher. Fetches go through the outbound client: the SSRF guard in production, the Sandbox in Sandbox mode.
    /// </summary>
    public static IServiceCollection AddValidation(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ValidationOptions>(configuration.GetSection("Validation"));
        services.AddOutboundHttp();
        services.AddSingleton<RobotsFetcher>();
        services.AddSingleton<PageProbe>();
        services.Replace(ServiceDescriptor.Singleton<IValidationPort, PageValidator>());
        services.Replace(ServiceDescriptor.Singleton<ILinkCheckPort, LinkObserver>());
        services.Replace(ServiceDescriptor.Singleton<ISitemapFetchPort, SitemapFetcher>());
        return services;
    }
}
