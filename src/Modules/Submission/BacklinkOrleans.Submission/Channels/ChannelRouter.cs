using System.Runtime.CompilerServices;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>
/// The route port: for each channel of the campaign's preference, in that order, the tenant's first usable credential
/// that covers the URL — as a target (channel, credential, quota key, crawler); and the index checkers that cover it.
/// None covers it → no submission target, and the lifecycle fails it with no-channel before anything is fetched.
/// Credentials whose verification failed do not count. The tenant's credentials are indexed by host once per version
/// of the list (cached by the directory), so routing a URL looks at the few credentials that can cover its host.
/// </summary>
internal sealed class ChannelRouter(ICredentialDirectory credentials, ChannelRegistry channels) : IRoutingPort
{
    private readonly ConditionalWeakTable<IReadOnlyList<CredentialView>, CoverageIndex> indexes = [];

    public async Task<RouteResult?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var tenant = TenantId.From(backlink.Tenant);
        var list = await credentials.ListAsync(tenant, cancellationToken);
        var index = indexes.GetValue(list, l => new CoverageIndex(l, channels));
        return index.Route(backlink.Campaign.ChannelPreference, UrlNormalizer.Normalize(backlink.Url), await credentials.EnabledChannelsAsync(tenant, cancellationToken));
    }

    /// <summary>The target of <paramref name="channel"/> for a URL (for a backlink routed before targets were recorded).</summary>
    public async Task<RouteTarget?> TargetAsync(BacklinkSnapshot backlink, string channel, CancellationToken cancellationToken) =>
        (await RouteAsync(backlink, cancellationToken))?.Submit.FirstOrDefault(t => t.Channel == channel);
}

/// <summary>One tenant's usable credentials by the hosts they may cover, per channel.</summary>
internal sealed class CoverageIndex
{
    private readonly Dictionary<(string Channel, string Key), List<CredentialView>> byKey = [];
    private readonly ChannelRegistry channels;

    public CoverageIndex(IReadOnlyList<CredentialView> credentials, ChannelRegistry channels)
    {
        this.channels = channels;
        foreach (var channel in channels.All)
        {
            foreach (var credential in credentials.Where(c => c.Kind == channel.Descriptor.CredentialKind && c.Status != CredentialStatuses.Failed))
            {
                foreach (var key in channel.CoverageKeys(credential).Distinct(StringComparer.Ordinal))
                {
                    var list = byKey.TryGetValue((channel.Descriptor.Name, key), out var existing) ? existing : byKey[(channel.Descriptor.Name, key)] = [];
                    list.Add(credential);
                }
            }
        }
    }

    /// <summary>The targets for <paramref name="url"/>; a channel that needs the tenant's decision counts only when in <paramref name="enabled"/>.</summary>
    public RouteResult Route(IReadOnlyList<string> preference, NormalizedUrl url, IReadOnlySet<string> enabled)
    {
        var submit = new List<RouteTarget>();
        foreach (var name in preference)
        {
            if (channels.Find(name) is { Descriptor.Purpose: ChannelPurpose.Submit } channel && Allowed(channel, enabled) && Covering(channel, url) is { } credential)
                submit.Add(Target(channel, credential, url));
        }
        var check = channels.All.Where(c => c.Descriptor.Purpose == ChannelPurpose.Check && Allowed(c, enabled))
            .Select(c => (c.Descriptor.ReportsLater, Target: Covering(c, url) is { } credential ? Target(c, credential, url) : null))
            .Where(c => c.Target is not null).ToList();
        var slow = check.Where(c => c.ReportsLater).Select(c => c.Target!).ToList();
        return new RouteResult(submit, [.. check.Where(c => !c.ReportsLater).Select(c => c.Target!)], slow.Count == 0 ? null : slow);
    }

    private static bool Allowed(IChannel channel, IReadOnlySet<string> enabled) =>
        channel.Descriptor.OptInPolicy is null || enabled.Contains(channel.Descriptor.Name);

    private static RouteTarget Target(IChannel channel, CredentialView credential, NormalizedUrl url) =>
        new(channel.Descriptor.Name, credential.Id, channel.QuotaKeyOf(credential, url), channel.Descriptor.Crawler);

    /// <summary>The oldest usable credential of the channel that covers the URL: exact host, then its parent domains, then any host.</summary>
    private CredentialView? Covering(IChannel channel, NormalizedUrl url)
    {
        foreach (var key in Keys(url.Host))
        {
            if (byKey.TryGetValue((channel.Descriptor.Name, key), out var candidates)
                && candidates.Where(c => channel.Covers(c, url)).MinBy(c => c.CreatedAt) is { } credential)
                return credential;
        }
        return null;
    }

    private static IEnumerable<string> Keys(string host)
    {
        yield return host;
        for (var dot = host.IndexOf('.'); dot >= 0; dot = host.IndexOf('.', dot + 1))
            yield return "*." + host[(dot + 1)..];
        yield return "*." + host;
        yield return "*";
    }
}
