using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// The ports' defaults until their modules bind real implementations: each says "not bound" (null), and the
/// backlink waits at its current step, visibly, re-checked after <see cref="BacklinkOptions.UnboundPortRetry"/>.
/// </summary>
internal sealed class UnboundPorts : IRoutingPort, IValidationPort, ISubmissionPort, IIndexCheckPort, ILinkCheckPort, ISitemapFetchPort, ICapacityPort
{
    public Task<IReadOnlyList<ChannelCapacity>> CapacityAsync(string tenant, IReadOnlyList<string> channels, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChannelCapacity>>([]);

    public Task<Stream?> OpenAsync(string url, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    public Task<RouteResult?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) => Task.FromResult<RouteResult?>(null);

    public Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<ValidationVerdict?>(null);

    public Task<Enqueued?> EnqueueAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<Enqueued?>(null);

    public Task<Enqueued?> WithdrawAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<Enqueued?>(null);

    public Task<Enqueued?> EnqueueCheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) => Task.FromResult<Enqueued?>(null);

    public Task<LinkObservation?> CheckLinkAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) => Task.FromResult<LinkObservation?>(null);
}
