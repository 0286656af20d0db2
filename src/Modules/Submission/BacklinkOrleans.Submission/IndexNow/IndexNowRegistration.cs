using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.IndexNow;

internal static class IndexNowRegistration
{
    /// <summary>The IndexNow channel: options (Submission:IndexNow), its HTTP client, the channel and its credential kind.</summary>
    public static IServiceCollection AddIndexNowChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<IndexNowOptions>(configuration, IndexNowOptions.Section, o => o.AllProblems());
        services.AddChannelHttpClient<IndexNowOptions>(IndexNowClient.ClientName);
        services.AddSingleton<IndexNowClient>();
        return services.AddChannel<IndexNowChannel, IndexNowCredentialKind>();
    }
}
