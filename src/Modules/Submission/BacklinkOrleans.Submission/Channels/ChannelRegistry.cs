using BacklinkOrleans.Accounts.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>The channels this build has: the one place that knows them all. Routing, validation's crawlers, the lane and the Quota API ask it.</summary>
internal sealed class ChannelRegistry(IEnumerable<IChannel> channels)
{
    private readonly Dictionary<string, IChannel> byName = channels.ToDictionary(c => c.Descriptor.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IChannel> All => byName.Values;

    public IChannel? Find(string name) => byName.GetValueOrDefault(name);

    public IChannel Get(string name) => Find(name) ?? throw new InvalidOperationException($"No channel '{name}' is registered.");

    /// <summary>The names of the channels that submit (what a campaign may prefer).</summary>
    public IReadOnlyList<string> SubmissionChannels => [.. byName.Values.Where(c => c.Descriptor.Purpose == ChannelPurpose.Submit).Select(c => c.Descriptor.Name)];
}

internal static class ChannelRegistration
{
    /// <summary>Registers a channel and the credential kind it sends with: the one line a new channel adds (ADR 0013).</summary>
    internal static IServiceCollection AddChannel<TChannel, TCredentialKind>(this IServiceCollection services)
        where TChannel : class, IChannel
        where TCredentialKind : class, ICredentialKind
    {
        services.AddChannel<TChannel>();
        services.AddSingleton<ICredentialKind, TCredentialKind>();
        return services;
    }

    /// <summary>Registers a channel that sends with another channel's credential kind (URL Inspection with Google's service accounts).</summary>
    internal static IServiceCollection AddChannel<TChannel>(this IServiceCollection services)
        where TChannel : class, IChannel
    {
        services.AddSingleton<TChannel>();
        services.AddSingleton<IChannel>(sp => sp.GetRequiredService<TChannel>());
        return services;
    }
}
