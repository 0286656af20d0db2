using System.Collections.Concurrent;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.IndexNow;
using Orleans.Runtime;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>
/// The real router (the tenant's keys from <see cref="TestCredentials"/>, the IndexNow channel's coverage), plus a
/// target on the vendor channel for URLs under /also-vendor/ when the campaign prefers the vendor too. The tenants of
/// those tests have no vendor account, so such a URL waits at the vendor (no quota to send it with) once IndexNow is
/// out of the picture.
/// </summary>
internal sealed class TestRouting(ChannelRouter router) : IRoutingPort
{
    public async Task<RouteResult?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        var route = await router.RouteAsync(backlink, cancellationToken);
        if (route is null || !backlink.Url.Contains("/also-vendor/", StringComparison.Ordinal)
            || !backlink.Campaign.ChannelPreference.Contains(CredentialKinds.Vendor))
            return route;
        return route with { Submit = [.. route.Submit, RouteTarget.ForChannel(CredentialKinds.Vendor)] };
    }
}

/// <summary>Validation that answers at once: every URL passes.</summary>
internal sealed class InstantValidation : IValidationPort
{
    public Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) =>
        Task.FromResult<ValidationVerdict?>(new ValidationVerdict(true, null, null, "validated by the test"));
}

/// <summary>
/// The tenants' IndexNow keys and Google service accounts, in memory, and the channels each tenant turned on; records
/// which silo last read a secret (where the quota grain lives: routing lists the credentials too, but only the quota
/// grain reads secrets) and every property a channel refused (which, as in the real directory, routing then skips).
/// </summary>
internal sealed class TestCredentials(ILocalSiloDetails silo) : ICredentialDirectory
{
    private static readonly ConcurrentDictionary<string, (CredentialView View, string Key)> Keys = new();

    public static readonly ConcurrentDictionary<string, SiloAddress> AskedFrom = new();

    /// <summary>Every <see cref="RefusePropertyAsync"/> call, in order.</summary>
    public static readonly ConcurrentQueue<(string Tenant, string CredentialId, string Property, string Reason)> RefusedProperties = new();

    public static void Add(string tenant, string host, string key, string? keyLocation)
    {
        var scope = new CredentialScope(Host: host, KeyLocation: keyLocation?.Replace(key, IndexNowKeyScope.KeyPlaceholder, StringComparison.Ordinal),
            Endpoint: IndexNowChannel.Endpoints[0]);
        Keys[$"{tenant}/{host}"] = (new CredentialView(Guid.NewGuid().ToString("N"), CredentialKinds.IndexNow, $"key for {host}", scope,
            $"key:{key[..9]}", CredentialStatuses.Verified, null, SubmissionCluster.Start, SubmissionCluster.Start), key);
    }

    /// <summary>The tenant's key for <paramref name="host"/>, as the directory lists it.</summary>
    public static CredentialView Of(string tenant, string host) => Keys[$"{tenant}/{host}"].View;

    /// <summary>The user fixed the key file and verified the key again at <paramref name="at"/>.</summary>
    public static void Reverify(string tenant, string host, DateTimeOffset at) =>
        Keys.AddOrUpdate($"{tenant}/{host}", _ => throw new InvalidOperationException("no such key"),
            (_, k) => (k.View with { Status = CredentialStatuses.Verified, VerifiedAt = at }, k.Key));

    /// <summary>
    /// The key moved to another location (the user changed where its file lives) and was verified there at
    /// <paramref name="at"/>: the same credential, a new scope.
    /// </summary>
    public static void Move(string tenant, string host, string keyLocation, DateTimeOffset at) =>
        Keys.AddOrUpdate($"{tenant}/{host}", _ => throw new InvalidOperationException("no such key"),
            (_, k) => (k.View with
            {
                Scope = k.View.Scope with { KeyLocation = keyLocation.Replace(k.Key, IndexNowKeyScope.KeyPlaceholder, StringComparison.Ordinal) },
                VerifiedAt = at,
            }, k.Key));

    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> Enabled = new();

    public void Invalidate(TenantId tenant) { } // nothing cached: every read sees the dictionary

    /// <summary>A Google service account of the tenant (its JSON key from the Sandbox), an Owner of <paramref name="properties"/>.</summary>
    public static CredentialView AddGoogle(string tenant, string serviceAccountJson, params string[] properties)
    {
        var key = System.Text.Json.Nodes.JsonNode.Parse(serviceAccountJson)!;
        var email = key["client_email"]!.GetValue<string>();
        var view = new CredentialView(Guid.NewGuid().ToString("N"), CredentialKinds.Google, $"service account {email}",
            new CredentialScope(ClientEmail: email, Properties: properties, ProjectId: key["project_id"]!.GetValue<string>()),
            $"sa:{email}", CredentialStatuses.Verified, null, SubmissionCluster.Start, SubmissionCluster.Start);
        Keys[$"{tenant}/google:{email}"] = (view, serviceAccountJson);
        return view;
    }

    /// <summary>A SERP API key of the tenant (one the Sandbox issued): it covers any URL, for index checks.</summary>
    public static CredentialView AddSerp(string tenant, string apiKey)
    {
        var view = new CredentialView(Guid.NewGuid().ToString("N"), CredentialKinds.Serp, "SERP API", new CredentialScope(), $"serp:{apiKey[..8]}",
            CredentialStatuses.Unverified, null, null, SubmissionCluster.Start);
        Keys[$"{tenant}/serp:{view.Id}"] = (view, apiKey);
        return view;
    }

    /// <summary>A paid vendor account of the tenant (a key the Sandbox's vendor issued): any host unless <paramref name="scope"/> restricts it.</summary>
    public static CredentialView AddVendor(string tenant, string apiKey, CredentialScope? scope = null)
    {
        var view = new CredentialView(Guid.NewGuid().ToString("N"), CredentialKinds.Vendor, "vendor", scope ?? new CredentialScope(), $"vendor:{apiKey[..8]}",
            CredentialStatuses.Verified, null, SubmissionCluster.Start, SubmissionCluster.Start);
        Keys[$"{tenant}/vendor:{view.Id}"] = (view, apiKey);
        return view;
    }

    /// <summary>The tenant turns a channel on (Google's policy accepted) or off.</summary>
    public static void Switch(string tenant, string channel, bool on)
    {
        var channels = Enabled.GetOrAdd(tenant, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        if (on)
            channels[channel] = 0;
        else
            channels.TryRemove(channel, out _);
    }

    public Task<IReadOnlySet<string>> EnabledChannelsAsync(TenantId tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(Enabled.TryGetValue(tenant.Value, out var channels) ? channels.Keys.ToHashSet() : new HashSet<string>());

    public Task SetChannelEnabledAsync(TenantId tenant, string channel, bool enabled, string? acceptedPolicy, CancellationToken cancellationToken)
    {
        Switch(tenant.Value, channel, enabled);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CredentialView>>([.. Keys.Where(k => k.Key.StartsWith(tenant.Value + "/", StringComparison.Ordinal)).Select(k => k.Value.View)]);

    public Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken)
    {
        AskedFrom[tenant.Value] = silo.SiloAddress;
        return Task.FromResult(Keys.Values.Where(k => k.View.Id == credentialId).Select(k => (string?)k.Key).FirstOrDefault());
    }

    public Task RefusePropertyAsync(TenantId tenant, string credentialId, string property, string reason, CancellationToken cancellationToken)
    {
        RefusedProperties.Enqueue((tenant.Value, credentialId, property, reason));
        foreach (var (name, credential) in Keys.Where(k => k.Value.View.Id == credentialId))
        {
            var refused = new Dictionary<string, string>(credential.View.Scope.RefusedProperties ?? new Dictionary<string, string>()) { [property] = reason };
            Keys[name] = (credential.View with { Scope = credential.View.Scope with { RefusedProperties = refused } }, credential.Key);
        }
        return Task.CompletedTask;
    }
}
