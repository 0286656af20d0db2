namespace BacklinkOrleans.Submission.Contracts;

/// <summary>One channel as a tenant sees it: what it is, its limits, and whether this tenant has turned it on.</summary>
public sealed record ChannelView(string Name, string Purpose, string CredentialKind, string Crawler, bool RequiresOptIn, bool Enabled,
    string? Policy, IReadOnlyList<ChannelLimitView> Limits);

public sealed record ChannelLimitView(string Window, int Limit);

/// <summary>The body of an enable request: a channel with a policy is only turned on when the caller accepts it.</summary>
public sealed record EnableChannelRequest(bool AcceptPolicy);

/// <summary>The answer to turning a channel on or off, quoting the policy the tenant accepted.</summary>
public sealed record ChannelSwitched(string Channel, bool Enabled, string? Policy);
