using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.Extensions.DependencyInjection;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// Wakes the quota grains that send with a credential once a change of it is stored (verified again, replaced,
/// removed), so they read it at once instead of at their next periodic read. The channels are resolved when told, not
/// when built: a channel (Google's) needs the credential directory, which needs its listeners — resolving both eagerly
/// would make two start-up threads wait on each other.
/// </summary>
internal sealed class QuotaWakeListener(IServiceProvider services, IGrainFactory grains) : ICredentialChangeListener
{
    public Task CredentialChangedAsync(TenantId tenant, CredentialView credential, CancellationToken cancellationToken) =>
        Task.WhenAll(services.GetRequiredService<ChannelRegistry>().All.Where(c => c.Descriptor.CredentialKind == credential.Kind)
            .SelectMany(channel => channel.QuotaKeysOf(credential).Select(key => QuotaGrainKeys.Of(tenant.Value, channel.Descriptor.Name, key)))
            .Distinct(StringComparer.Ordinal)
            .Select(key => grains.Reference<IChannelQuotaGrain>(key).WakeAsync()));
}
