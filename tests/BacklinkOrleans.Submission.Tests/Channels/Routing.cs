using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Tests.Channels;

/// <summary>
/// The channels as the Submission module registers them (a channel added to the module is in these tests too), the
/// kinds of credentials they send with, and the real router over an in-memory list of a tenant's credentials.
/// </summary>
internal static class Routing
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public static readonly ChannelRegistry Registry = new ServiceCollection()
        .AddLogging()
        .AddSingleton<ICredentialDirectory>(new ListedCredentials([], new HashSet<string>()))
        .AddSubmission(new ConfigurationBuilder().Build())
        .BuildServiceProvider()
        .GetRequiredService<ChannelRegistry>();

    /// <summary>The registered channel <paramref name="name"/> (fails when this build has none of that name).</summary>
    public static IChannel Channel(string name) =>
        Registry.Find(name) ?? throw new InvalidOperationException($"This build registers no channel '{name}'; it has {string.Join(", ", Registry.All.Select(c => c.Descriptor.Name))}.");

    public static CredentialView IndexNowKey(string host, string? keyLocation = null, string id = "i", string status = CredentialStatuses.Verified, int createdMinutesAfterT0 = 0) =>
        new(id, CredentialKinds.IndexNow, "", new CredentialScope(Host: host, KeyLocation: keyLocation), $"key:{id}", status, null, null, T0.AddMinutes(createdMinutesAfterT0));

    public static CredentialView GoogleAccount(params string[] properties) =>
        new("g", CredentialKinds.Google, "", new CredentialScope(ClientEmail: "sa@p.iam.gserviceaccount.com", Properties: properties, ProjectId: "p"), "", CredentialStatuses.Unverified, null, null, T0);

    public static CredentialView VendorAccount() =>
        new("v", CredentialKinds.Vendor, "", new CredentialScope(), "", CredentialStatuses.Unverified, null, null, T0);

    /// <summary>Routes <paramref name="url"/> of a campaign preferring <paramref name="preference"/> with the real router over <paramref name="registry"/>.</summary>
    /// <remarks>Channels that need the tenant's decision count as turned on unless <paramref name="enabled"/> says otherwise.</remarks>
    public static async Task<RouteResult> RouteAsync(string url, IReadOnlyList<string> preference, IReadOnlyList<CredentialView> credentials, ChannelRegistry? registry = null,
        IReadOnlySet<string>? enabled = null)
    {
        var normalized = UrlNormalizer.Normalize(url);
        var campaign = new CampaignSettings("q4", "client", preference, 1, [TimeSpan.FromHours(1)], TimeSpan.FromDays(30), 50);
        var backlink = new BacklinkSnapshot("acme", normalized.Sha256, normalized.Value, normalized.Host, "c1", campaign, null, null, 50);
        var route = await new ChannelRouter(new ListedCredentials(credentials, enabled ?? new HashSet<string> { CredentialKinds.Google }), registry ?? Registry).RouteAsync(backlink, CancellationToken.None);
        return route ?? throw new InvalidOperationException("the router answered null: routing is always bound");
    }

    public static IReadOnlyList<string> Channels(this IReadOnlyList<RouteTarget> targets) => [.. targets.Select(t => t.Channel)];

    private sealed class ListedCredentials(IReadOnlyList<CredentialView> credentials, IReadOnlySet<string> enabled) : ICredentialDirectory
    {
        public Task<IReadOnlySet<string>> EnabledChannelsAsync(TenantId tenant, CancellationToken cancellationToken) => Task.FromResult(enabled);

        public Task SetChannelEnabledAsync(TenantId tenant, string channel, bool on, string? acceptedPolicy, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("routing never switches a channel");

        public Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken) => Task.FromResult(credentials);

        public void Invalidate(TenantId tenant) { } // nothing cached

        public Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("routing never reads a secret");

        public Task RefusePropertyAsync(TenantId tenant, string credentialId, string property, string reason, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("routing never refuses a property");
    }
}
