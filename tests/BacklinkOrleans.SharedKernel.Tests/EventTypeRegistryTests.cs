using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.SharedKernel.Tests;

public sealed class EventTypeRegistryTests
{
    private sealed record Opened(Guid EventId, string Name, DateTimeOffset At) : IDomainEvent;
    private sealed record Closed(Guid EventId, string Reason) : IDomainEvent;

    private static EventTypeRegistry Registry() => new([
        new EventTypeRegistration("test.opened.v1", typeof(Opened)),
        new EventTypeRegistration("test.closed.v1", typeof(Closed)),
    ]);

    [Fact]
    public void RoundTrips_UnderItsAlias()
    {
        var registry = Registry();
        var opened = new Opened(Guid.NewGuid(), "campaign ä", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var data = registry.ToEventData(opened);
        Assert.Equal("test.opened.v1", data.Type);
        Assert.Equal(opened.EventId, data.EventId);
        Assert.Equal(opened, registry.Deserialize(data.Type, data.Data));
    }

    [Fact]
    public void UnregisteredType_IsRefusedWithItsName()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry([]).ToEventData(new Closed(Guid.NewGuid(), "x")));
        Assert.Contains(nameof(Closed), e.Message);
    }

    [Fact]
    public void UnknownAlias_IsRefusedNamingAliasAndStream()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Registry().Deserialize("test.gone.v1", "{}", "acme/abc"));
        Assert.Contains("test.gone.v1", e.Message);
        Assert.Contains("acme/abc", e.Message);
    }

    [Fact]
    public void OneAliasForTwoTypes_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry([
            new EventTypeRegistration("test.x.v1", typeof(Opened)),
            new EventTypeRegistration("test.x.v1", typeof(Closed)),
        ]));

    [Fact]
    public void CorruptPayload_IsRefusedNamingAlias()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Registry().Deserialize("test.closed.v1", "{not json"));
        Assert.Contains("test.closed.v1", e.Message);
    }
}
