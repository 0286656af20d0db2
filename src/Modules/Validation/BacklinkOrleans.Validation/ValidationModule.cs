using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Validation.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.Validation;

public static class ValidationModule
{
    /// <summary>Binds the lifecycle's route port to routing by credential coverage.</summary>
    public static IServiceCollection AddValidation(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IRoutingPort, CoverageRouter>());
        return services;
    }
}
