using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>
/// The clock of the wire — HTTP timeouts and retry sleeps — as opposed to the domain's (schedules, quota windows).
/// They are the same clock unless one is registered under <see cref="Key"/>: the demo runs the domain faster than real
/// time, while a request's timeout must stay a real timeout.
/// </summary>
public static class WireClock
{
    public const string Key = "wire";

    public static TimeProvider Resolve(IServiceProvider services) =>
        services.GetKeyedService<TimeProvider>(Key) ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
}
