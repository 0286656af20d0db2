using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Validation.Routing;

/// <summary>
/// The route port: the channels of the campaign's preference whose credentials cover the URL, in that order.
/// None covers it → an empty list, and the lifecycle fails it with no-channel before anything is fetched.
/// Credentials whose verification failed (a key file that does not match) do not count.
/// </summary>
internal sealed class CoverageRouter(ICredentialDirectory credentials) : IRoutingPort
{
    public async Task<IReadOnlyList<string>?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var url = UrlNormalizer.Normalize(backlink.Url);
        var usable = (await credentials.ListAsync(TenantId.From(backlink.Tenant), cancellationToken))
            .Where(c => c.Status != CredentialStatuses.Failed)
            .ToList();
        return Route(backlink.Campaign.ChannelPreference, usable, url);
    }

    internal static IReadOnlyList<string> Route(IReadOnlyList<string> preference, IReadOnlyList<CredentialView> credentials, NormalizedUrl url) =>
        [.. preference.Where(channel => credentials.Any(c => c.Kind == channel && Coverage.Covers(c, url)))];
}
