using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.SharedKernel.EventSourcing;

public static class EventSourcingServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="TEvent"/> under its stored name <paramref name="alias"/>.</summary>
    public static IServiceCollection AddEventType<TEvent>(this IServiceCollection services, string alias, bool snapshot = false)
        where TEvent : IDomainEvent
    {
        services.AddSingleton(new EventTypeRegistration(alias, typeof(TEvent), snapshot));
        services.TryAddSingleton<EventTypeRegistry>();
        return services;
    }
}
