using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.SharedKernel.Grains;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>
/// The capacity port: for each channel asked about, the tenant's quotas of it summed — what is queued, what today's
/// windows still allow and allow in all, when the next opens, how long sending is held, the paid balance — read from
/// the quota grains (each answers from memory).
/// </summary>
internal sealed class ChannelCapacityPort(ICredentialDirectory credentials, ChannelRegistry channels, IGrainFactory grains, TimeProvider time) : ICapacityPort
{
    public async Task<IReadOnlyList<ChannelCapacity>> CapacityAsync(string tenant, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var list = await credentials.ListAsync(TenantId.From(tenant), cancellationToken);
        var result = new List<ChannelCapacity>();
        foreach (var name in names)
        {
            if (channels.Find(name) is not { Descriptor.Purpose: ChannelPurpose.Submit } channel)
                continue;
            var keys = list.Where(c => c.Kind == channel.Descriptor.CredentialKind && c.Status != CredentialStatuses.Failed)
                .SelectMany(channel.QuotaKeysOf).Distinct(StringComparer.Ordinal).ToList();
            var views = await Task.WhenAll(keys.Select(k => grains.Reference<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, name, k)).GetQuotaAsync()));
            result.Add(Sum(name, views, time.GetUtcNow()));
        }
        return result;
    }

    /// <summary>The quotas of one channel as one: the daily windows summed (a minute's window does not bound a day's work).</summary>
    internal static ChannelCapacity Sum(string channel, IReadOnlyList<QuotaView> views, DateTimeOffset now)
    {
        var days = views.Select(v => v.Windows.FirstOrDefault(w => w.Window.EndsWith("day", StringComparison.Ordinal))).OfType<QuotaWindowView>().ToList();
        var held = views.Select(v => Later(v.ParkedUntil, v.BackoffUntil)).Where(h => h > now).DefaultIfEmpty(null).Min();
        var balances = views.Where(v => v.Balance is not null).ToList();
        return new ChannelCapacity(channel, views.Count, views.Sum(v => (long)v.Queued),
            days.Count == 0 ? null : days.Sum(w => (long)w.Remaining), days.Count == 0 ? null : days.Sum(w => (long)w.Limit),
            days.Count == 0 ? null : days.Min(w => w.ResetsAt), days.Count == 0 ? null : TimeSpan.FromDays(1),
            views.Count > 0 && views.All(v => Later(v.ParkedUntil, v.BackoffUntil) > now) ? held : null,
            balances.Count == 0 ? null : balances.Sum(v => v.Balance!.Value));
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a > b || b is null ? a : b;
}
