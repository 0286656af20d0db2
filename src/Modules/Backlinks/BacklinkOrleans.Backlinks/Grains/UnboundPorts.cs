using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// The ports' defaults until their modules bind real implementations: each says "not bound" (null), and the
/// backlink waits at its current step, re-checked after <see cref="BacklinkOptions.UnboundPortRetry"/>.
/// </summary>
internal sealed class UnboundPorts : IRoutingPort, IValidationPort, ISubmissionPort, IIndexCheckPort, ISitemapFetchPort
{
    public Task<Stream?> OpenAsync(string url, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    public Task<IReadOnlyList<string>?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    public Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<ValidationVerdict?>(null);

    public Task<DateTimeOffset?> EnqueueAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(null);

    public Task<IndexCheckReport?> CheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<IndexCheckReport?>(null);
}
