using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Validation.Robots;

/// <summary>
/// The answer of the robots grain for one URL and crawler. <see cref="Unreachable"/>: robots.txt could not be read
/// (5xx, no connection), so nothing is allowed for now; <see cref="GaveUp"/>: it stayed unreadable over several
/// fetches, and the URL fails with robots-unreachable.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.robots-answer")]
internal sealed record RobotsAnswer(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] bool Unreachable,
    [property: Id(2)] string Evidence,
    [property: Id(3)] bool GaveUp = false);

/// <summary>
/// One robots.txt per origin (<c>{scheme}://{host}:{port}</c>), fetched once and cached for a day, so a campaign of
/// thousands of URLs on one host fetches it once. An unreadable file is cached briefly and fetched again.
/// </summary>
internal interface IRobotsGrain : IGrainWithStringKey
{
    Task<RobotsAnswer> CheckAsync(string userAgent, string url);
}

internal sealed partial class RobotsGrain(RobotsFetcher fetcher, TimeProvider time, IOptions<ValidationOptions> options, ILogger<RobotsGrain> logger)
    : Grain, IRobotsGrain
{
    private int unreachableFetches;
    private RobotsTxt? robots;
    private RobotsFetch? fetch;
    private DateTimeOffset fetchedAt;

    public async Task<RobotsAnswer> CheckAsync(string userAgent, string url)
    {
        var now = time.GetUtcNow();
        var age = now - fetchedAt;
        if (fetch is null || age > options.Value.RobotsCacheFor || (fetch.Kind == RobotsFetchKind.Unreachable && age > options.Value.RobotsRetryAfter))
        {
            fetch = await fetcher.FetchAsync(this.GetPrimaryKeyString(), CancellationToken.None);
            fetchedAt = now;
            robots = fetch.Kind switch
            {
                RobotsFetchKind.Parsed => RobotsTxt.Parse(fetch.Content),
                RobotsFetchKind.AllowAll => RobotsTxt.AllowAll,
                _ => RobotsTxt.DisallowAll,
            };
            unreachableFetches = fetch.Kind == RobotsFetchKind.Unreachable ? unreachableFetches + 1 : 0;
            LogFetched(logger, this.GetPrimaryKeyString(), fetch.Detail);
        }
        if (fetch.Kind == RobotsFetchKind.Unreachable)
            return new RobotsAnswer(false, true, $"{fetch.Detail} ({unreachableFetches} attempts)", unreachableFetches >= options.Value.RobotsAttempts);
        var verdict = robots!.Check(userAgent, url);
        return new RobotsAnswer(verdict.Allowed, false, $"{userAgent}: {verdict.Evidence}");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "robots.txt of {Origin}: {Detail}")]
    private static partial void LogFetched(ILogger logger, string origin, string detail);
}
