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

    /// <summary>Search Console URL Inspection, an index checker with the Google channel's service accounts: options (Submission:Inspection) and the channel.</summary>
    public static IServiceCollection AddUrlInspection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<InspectionOptions>(configuration, InspectionOptions.Section, o => o.AllProblems());
        return services.AddChannel<InspectionChannel>();
    }
}
