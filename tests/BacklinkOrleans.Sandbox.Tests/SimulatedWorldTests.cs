using Microsoft.Extensions.Time.Testing;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>A strictness suite's setting: a Sandbox of its own on a fake clock, and a client that reaches it.</summary>
public abstract class SimulatedWorldTests : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    protected SandboxServer World { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        World = await SandboxServer.StartAsync(Clock);
        Client = World.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await World.DisposeAsync();
    }
}
