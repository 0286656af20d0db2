using BacklinkOrleans.SharedKernel;
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
/// thousands of URLs on one host fetches it once. An unreadable file is cached briefly and fetched again; the run of
/// unreadable fetches is counted durably. An origin the outbound guard refuses is given up at once.
/// </summary>
internal interface IRobotsGrain : IGrainWithStringKey
{
    Task<RobotsAnswer> CheckAsync(string userAgent, string url);
}

/// <summary>Unreadable fetches of an origin's robots.txt in a row, kept durably: a restart or a deactivation does not reset the count.</summary>
[GenerateSerializer, Alias("backlink-orleans.robots-failures")]
internal sealed class RobotsFailures
{
    [Id(0)] public int Fetches { get; set; }

    [Id(1)] public DateTimeOffset? Since { get; set; }
}

internal sealed partial class RobotsGrain(RobotsFetcher fetcher, TimeProvider time, IOptions<ValidationOptions> options, ILogger<RobotsGrain> logger,
    [PersistentState("robots", GrainStorage.State)] IPersistentState<RobotsFailures> failures)
    : Grain, IRobotsGrain
{
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
            await CountAsync(fetch.Kind == RobotsFetchKind.Unreachable, now);
            LogFetched(logger, this.GetPrimaryKeyString(), fetch.Detail);
        }
        if (fetch.Kind == RobotsFetchKind.Refused)
            return new RobotsAnswer(false, true, fetch.Detail, GaveUp: true); // the guard will not allow it later either
        if (fetch.Kind == RobotsFetchKind.Unreachable)
        {
            var count = failures.State.Fetches;
            return new RobotsAnswer(false, true, $"{fetch.Detail} ({count} unreadable fetches since {failures.State.Since:u})", count >= options.Value.RobotsAttempts);
        }
        var verdict = robots!.Check(userAgent, url);
        return new RobotsAnswer(verdict.Allowed, false, $"{userAgent}: {verdict.Evidence}");
    }

    /// <summary>Counts an unreadable fetch, or ends a run of them; written only when the count changes. A run starts afresh after a day.</summary>
    private async Task CountAsync(bool unreadable, DateTimeOffset now)
    {
        if (unreadable)
        {
            if (failures.State.Since < now - options.Value.RobotsCacheFor)
                failures.State.Fetches = 0; // a run older than the cache is stale: the origin gets its attempts again
            if (failures.State.Fetches == 0)
                failures.State.Since = now;
            failures.State.Fetches++;
        }
        else if (failures.State.Fetches == 0)
            return;
        else
        {
            failures.State.Fetches = 0;
            failures.State.Since = null;
        }
        await failures.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "robots.txt of {Origin}: {Detail}")]
    private static partial void LogFetched(ILogger logger, string origin, string detail);
}
