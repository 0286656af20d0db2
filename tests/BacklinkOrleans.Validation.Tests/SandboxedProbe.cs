using BacklinkOrleans.Sandbox;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Validation.Probing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>The page probe with the guarded outbound stack pointed at a Sandbox.</summary>
internal static class SandboxedProbe
{
    public static PageProbe On(SandboxServer sandbox)
    {
        var services = new ServiceCollection().AddOutboundHttp();
        services.Replace(ServiceDescriptor.Singleton<IOutboundHandlerFactory>(new SandboxFactory(sandbox)));
        return new PageProbe(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
    }

    private sealed class SandboxFactory(SandboxServer sandbox) : IOutboundHandlerFactory
    {
        public HttpMessageHandler CreateHandler() => sandbox.CreateHandler();
    }
}
