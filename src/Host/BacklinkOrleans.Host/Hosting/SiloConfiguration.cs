using System.Net;
using BacklinkOrleans.Storage;
using Orleans.Configuration;

namespace BacklinkOrleans.Host.Hosting;

internal static class SiloConfiguration
{
    /// <summary>
    /// Co-hosts the silo in the web application: identity and endpoints from "Cluster", storage by profile
    /// (embedded: localhost clustering and SQLite; cluster: ADO.NET membership and PostgreSQL), reminders' minimum
    /// period from "Reminders:MinimumPeriod".
    /// </summary>
    public static WebApplicationBuilder AddBacklinkSilo(this WebApplicationBuilder builder)
    {
        var storage = HostSettings.Storage(builder.Configuration);
        var cluster = HostSettings.Cluster(builder.Configuration);
        var minimumReminderPeriod = builder.Configuration.GetValue("Reminders:MinimumPeriod", TimeSpan.FromMinutes(1));

        // Registered before the silo, so the schema is in place when Orleans' providers start.
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHostedService<FirstRunKeys>();
        builder.UseOrleans(silo =>
        {
            if (storage.IsCluster)
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = cluster.AdvertisedIPAddress();
                    o.SiloPort = cluster.SiloPort;
                    o.GatewayPort = cluster.GatewayPort;
                    if (cluster.ListenOnAnyAddress)
                    {
                        o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.SiloPort);
                        o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.GatewayPort);
                    }
                });
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }
            silo.AddBacklinkStorage(storage);
            if (Observability.DashboardEnabled(builder.Configuration))
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimumReminderPeriod);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
