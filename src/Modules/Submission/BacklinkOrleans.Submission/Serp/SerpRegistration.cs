using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Serp;

internal static class SerpRegistration
{
    /// <summary>The SERP index checker: options (Submission:Serp), its HTTP client, the channel and its credential kind.</summary>
    public static IServiceCollection AddSerpChecker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<SerpOptions>(configuration, SerpOptions.Section, o => o.AllProblems());
        services.AddChannelHttpClient<SerpOptions>(SerpChannel.ClientName);
        return services.AddChannel<SerpChannel, SerpCredentialKind>();
    }
}
