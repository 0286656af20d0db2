using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Vendor;

internal static class VendorRegistration
{
    /// <summary>The paid vendor: options (Submission:Vendor), its HTTP client, the indexer channel with the credential kind, and the checker.</summary>
    public static IServiceCollection AddVendorChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<VendorOptions>(configuration, VendorOptions.Section, o => o.AllProblems());
        services.AddChannelHttpClient<VendorOptions>(VendorClient.ClientName);
        services.AddSingleton<VendorClient>();
        services.AddChannel<VendorChannel, VendorCredentialKind>();
        return services.AddChannel<VendorCheckerChannel>();
    }
}
