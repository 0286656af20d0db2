using BacklinkOrleans.Host.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Polly.Registry;

namespace BacklinkOrleans.Host.Tests;

/// <summary>The demo's accelerated clock runs the domain fast without shortening Orleans' own patience.</summary>
public sealed class DemoClockTests
{
    private const string Pipeline = "Orleans.Placement"; // OrleansRuntimeResiliencePolicies.PlacementResiliencePipelineKey

    [Fact]
    public async Task OrleansPlacementPipeline_DoesNotTimeOutInSimulatedSeconds()
    {
        // Orleans' placement pipeline counts its timeout on the container's clock: at 7200×, 30 s were 10 ms real, and
        // grain calls failed whenever the machine was busy (CI: the demo never finished).
        var clock = new AcceleratedClock(7200, DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOrleans(silo => silo.UseLocalhostClustering());
        DemoVerb.UseClock(services, clock);
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<Orleans.Runtime.SiloAddress>(Pipeline);

        var answer = await pipeline.ExecuteAsync(async token =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), token);
            return Orleans.Runtime.SiloAddress.Zero;
        });

        Assert.Equal(Orleans.Runtime.SiloAddress.Zero, answer);
    }

    [Fact]
    public void ADeactivation_IsDeclaredStuckAfterTheSameRealTime()
    {
        // Orleans times a deactivation on the grains' clock against MaxRequestProcessingTime: unscaled, 2 h was one real
        // second at 7200×, busy backlinks were abandoned as stuck and their calls failed placement from then on.
        var clock = new AcceleratedClock(7200, DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection();
        services.AddOptions();
        DemoVerb.UseClock(services, clock);
        using var provider = services.BuildServiceProvider();

        var limit = provider.GetRequiredService<IOptions<SiloMessagingOptions>>().Value.MaxRequestProcessingTime;

        Assert.Equal(SiloMessagingOptions.DEFAULT_MAX_REQUEST_PROCESSING_TIME, clock.ToReal(limit));
    }

    [Fact]
    public void FromReal_UndoesToReal_AndKeepsItsBounds()
    {
        var clock = new AcceleratedClock(7200, DateTimeOffset.UnixEpoch);

        Assert.Equal(TimeSpan.FromHours(2), clock.FromReal(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMinutes(5), clock.ToReal(clock.FromReal(TimeSpan.FromMinutes(5))));
        Assert.Equal(Timeout.InfiniteTimeSpan, clock.FromReal(Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.MaxValue, clock.FromReal(TimeSpan.MaxValue));
    }
}
