using System.Net;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.Postgres;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>The silo's identity and endpoints (section "Cluster"); any value can come from the environment, e.g. Cluster__SiloPort.</summary>
public sealed class ClusterSettings
{
    public string ClusterId { get; set; } = "backlink";
    public string ServiceId { get; set; } = "backlink-orleans";

    /// <summary>The address other silos and clients reach this silo at.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface (containers) instead of the advertised address only.</summary>
    public bool ListenOnAnyAddress { get; set; }

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    public IPAddress AdvertisedIPAddress() =>
        IPAddress.TryParse(AdvertisedAddress, out var address)
            ? address
            : Dns.GetHostAddresses(AdvertisedAddress).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"Cluster:AdvertisedAddress '{AdvertisedAddress}' does not resolve to an IPv4 address.");
}

internal static class HostSettings
{
    public static StorageSettings Storage(IConfiguration configuration) => new(
        configuration.GetConnectionString("Postgres"),
        configuration["Storage:DataDirectory"] is { Length: > 0 } directory ? directory : "data",
        configuration.GetValue("Postgres:MaxConnections", PostgresBudget.Default),
        configuration.GetValue("Storage:SqliteWriterNice", BacklinkOrleans.Storage.Sqlite.SqliteDatabase.DefaultWriterNice));

    public static ClusterSettings Cluster(IConfiguration configuration) =>
        configuration.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
}
