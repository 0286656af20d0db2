using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Google;

internal static class GoogleRegistration
{
    /// <summary>The Google Indexing API channel: options (Submission:Google), service-account clients, the channel and its credential kind.</summary>
    public static IServiceCollection AddGoogleChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<GoogleOptions>(configuration, GoogleOptions.Section, o => o.AllProblems());
        services.AddSingleton<GoogleAccounts>();
        return services.AddChannel<GoogleChannel, GoogleCredentialKind>();
    }
}
