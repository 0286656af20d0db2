using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Validation.Robots;
using Microsoft.Extensions.Options;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Validation.Probing;

/// <summary>
/// The validate port: URL rules, then robots.txt for the crawlers of the channels the URL was routed to (each route
/// target names its channel's crawler: bingbot for IndexNow, Googlebot for Google, '*' for a vendor), then the page
/// probe. An unreadable robots.txt answers "later, at T" until it has stayed unreadable over several fetches, then
/// robots-unreachable.
/// </summary>
internal sealed class PageValidator(IGrainFactory grains, PageProbe probe, IOptions<OutboundOptions> outbound, IOptions<ValidationOptions> options,
    TimeProvider time) : IValidationPort
{
    public async Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var rules = new BacklinkUrlRules(outbound.Value.EffectivePorts).Validate(backlink.Url);
        if (!rules.IsValid)
            return new ValidationVerdict(false, FailureReasons.InvalidUrl, rules.Errors[0].ErrorMessage, "URL rules");

        var uri = new Uri(backlink.Url);
        var robots = grains.Reference<IRobotsGrain>($"{uri.Scheme}://{uri.Host}:{uri.Port}");
        var evidence = new List<string>();
        foreach (var crawler in Crawlers(backlink.Targets))
        {
            var answer = await robots.CheckAsync(crawler, backlink.Url);
            if (answer.Unreachable)
                return answer.GaveUp
                    ? new ValidationVerdict(false, FailureReasons.RobotsUnreachable, answer.Evidence, answer.Evidence)
                    : ValidationVerdict.Later(time.GetUtcNow() + options.Value.RobotsRetryAfter, $"robots.txt unreadable for now: {answer.Evidence}");
            if (!answer.Allowed)
                return new ValidationVerdict(false, FailureReasons.RobotsDisallowed, answer.Evidence, answer.Evidence);
            evidence.Add(answer.Evidence);
        }

        var page = await probe.ProbeAsync(backlink.Url, backlink.TargetUrl, cancellationToken);
        return page.Verdict! with { Evidence = string.Join("; ", [.. evidence, page.Verdict!.Evidence]) };
    }

    internal static IEnumerable<string> Crawlers(IReadOnlyList<RouteTarget>? targets) =>
        (targets ?? []).Select(t => t.Crawler).DefaultIfEmpty("*").Distinct(StringComparer.Ordinal);
}
