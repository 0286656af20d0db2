using System.Security.Claims;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Api;

/// <summary>The channels of this build, and the tenant's switches for those that need an explicit decision (Google's policy).</summary>
internal static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var policies = string.Join(" ", app.ServiceProvider.GetRequiredService<ChannelRegistry>().All
            .Where(c => c.Descriptor.OptInPolicy is not null).Select(c => $"The {c.Descriptor.Name} channel is off until a tenant turns it on here. {c.Descriptor.OptInPolicy}"));
        var channels = app.MapGroup("/api/v1/channels").WithTags("Channels").RequireAuthorization(TenantClaims.TenantPolicy);
        channels.MapGet("/", ListAsync).WithName("ListChannels")
            .WithSummary("The channels this build sends to or checks with: credential kind, crawler, limits, whether this tenant turned each on.");
        channels.MapPost("/{name}/enable", EnableAsync).WithName("EnableChannel")
            .WithSummary("Turn a channel on for this tenant. A channel with a policy needs {\"acceptPolicy\": true}.")
            .WithDescription(policies);
        channels.MapPost("/{name}/disable", DisableAsync).WithName("DisableChannel")
            .WithSummary("Turn a channel off for this tenant: routing stops offering it (URLs already queued with it are sent).");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ChannelView>>> ListAsync(ClaimsPrincipal user, ChannelRegistry registry, ICredentialDirectory directory,
        CancellationToken cancellationToken)
    {
        var enabled = await directory.EnabledChannelsAsync(user.Tenant(), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ChannelView>>([.. registry.All.OrderBy(c => c.Descriptor.Purpose).ThenBy(c => c.Descriptor.Name).Select(c => View(c, enabled))]);
    }

    private static ChannelView View(IChannel channel, IReadOnlySet<string> enabled)
    {
        var d = channel.Descriptor;
        return new ChannelView(d.Name, d.Purpose.ToString().ToLowerInvariant(), d.CredentialKind, d.Crawler, d.OptInPolicy is not null,
            d.OptInPolicy is null || enabled.Contains(d.Name), d.OptInPolicy, [.. channel.Limits.Select(l => new ChannelLimitView(l.Window.Name, l.Limit))]);
    }

    private static async Task<Results<Ok<ChannelSwitched>, NotFound<ProblemDetails>, ValidationProblem>> EnableAsync(
        string name, EnableChannelRequest? request, ClaimsPrincipal user, ChannelRegistry registry, ICredentialDirectory directory,
        CancellationToken cancellationToken)
    {
        if (registry.Find(name) is not { } channel)
            return NoSuchChannel(name, registry);
        var policy = channel.Descriptor.OptInPolicy;
        if (policy is not null && request?.AcceptPolicy != true)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["acceptPolicy"] = [$"Turning {name} on needs {{\"acceptPolicy\": true}}: {policy}"],
            });
        if (policy is not null)
            await directory.SetChannelEnabledAsync(user.Tenant(), name, true, policy, cancellationToken);
        return TypedResults.Ok(new ChannelSwitched(name, true, policy));
    }

    private static async Task<Results<Ok<ChannelSwitched>, NotFound<ProblemDetails>, ValidationProblem>> DisableAsync(
        string name, ClaimsPrincipal user, ChannelRegistry registry, ICredentialDirectory directory, CancellationToken cancellationToken)
    {
        if (registry.Find(name) is not { } channel)
            return NoSuchChannel(name, registry);
        if (channel.Descriptor.OptInPolicy is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["name"] = [$"{name} needs no switch: it is used wherever a credential covers a URL and the campaign prefers it; remove the credential or change the campaign's channels instead."],
            });
        await directory.SetChannelEnabledAsync(user.Tenant(), name, false, null, cancellationToken);
        return TypedResults.Ok(new ChannelSwitched(name, false, channel.Descriptor.OptInPolicy));
    }

    private static NotFound<ProblemDetails> NoSuchChannel(string name, ChannelRegistry registry) => TypedResults.NotFound(new ProblemDetails
    {
        Title = "No such channel",
        Status = StatusCodes.Status404NotFound,
        Detail = $"This build has no channel '{name}'; it has {string.Join(", ", registry.All.Select(c => c.Descriptor.Name).Order())}.",
    });
}
