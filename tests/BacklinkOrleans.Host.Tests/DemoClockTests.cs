using BacklinkOrleans.Host.Demo;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Registry;
using Polly.Timeout;

namespace BacklinkOrleans.Host.Tests;

/// <summary>The demo's accelerated clock runs the domain fast without shortening Orleans' own patience.</summary>
public sealed class DemoClockTests
{
    private const string Pipeline = "Orleans.Placement"; // Orleans registers its placement pipeline this way

    [Fact]
    public async Task PipelinesRegisteredWithPolly_KeepRealTime()
    {
        // Polly gives the pipelines it builds the container's clock: at 7200×, Orleans' 30 s placement timeout was
        // 10 ms real, and grain calls failed whenever the machine was busy (seen in CI: the demo never finished).
        var slowStep = TimeSpan.FromMilliseconds(300);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => RunThrough(Provider(demo: false), slowStep));
        Assert.Equal(42, await RunThrough(Provider(demo: true), slowStep));
    }

    [Fact]
    public void TheDomain_StillRunsOnTheAcceleratedClock()
    {
        using var provider = Provider(demo: true);

        Assert.IsType<AcceleratedClock>(provider.GetRequiredService<TimeProvider>());
    }

    private static ServiceProvider Provider(bool demo)
    {
        var clock = new AcceleratedClock(7200, DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddResiliencePipeline<string, int>(Pipeline, builder => builder.AddTimeout(TimeSpan.FromSeconds(30)));
        if (demo)
            DemoVerb.UseClock(services, clock);
        return services.BuildServiceProvider();
    }

    private static async Task<int> RunThrough(ServiceProvider provider, TimeSpan step)
    {
        using (provider)
        {
            var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<int>(Pipeline);
            return await pipeline.ExecuteAsync(async token =>
            {
                await Task.Delay(step, token);
                return 42;
            });
        }
    }
}
