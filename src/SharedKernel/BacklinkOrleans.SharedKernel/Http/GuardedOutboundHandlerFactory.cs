using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>Resolves host names for the guard; replaceable in tests (a name resolving to a private address).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>Limits of outbound fetches (section "Outbound").</summary>
public sealed class OutboundOptions
{
    public static readonly IReadOnlyList<int> DefaultPorts = [80, 443];

    /// <summary>Ports a user-supplied URL may use; empty means the defaults, 80 and 443 (a configured list replaces them).</summary>
    public List<int> AllowedPorts { get; set; } = [];

    public IReadOnlyList<int> EffectivePorts => AllowedPorts.Count == 0 ? DefaultPorts : AllowedPorts;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections the Host opens at most to one site (scheme, host and port) for its pages, robots.txt, sitemaps and
    /// key files; further requests wait for a free one. A crawler's courtesy (browsers use 6), and on a campaign of a
    /// hundred URLs per site it saves the handshakes of a hundred connections. Channels have their own limit.
    /// </summary>
    public int MaxConnectionsPerSite { get; set; } = 6;
}

/// <summary>A connection the guard refused: the address, port or name is not one the product may reach.</summary>
public sealed class OutboundRefusedException(string message) : IOException(message);

/// <summary>
/// The production outbound stack, guarding against server-side request forgery: the handler resolves the name
/// itself, refuses the connection if any address is not public (<see cref="AddressPolicy"/>; a DNS answer mixing
/// allowed and refused addresses is refused whole) or the port is not allowed, and connects to the address it
/// checked — so a second, different DNS answer cannot slip in. No proxy is ever used, redirects are never followed
/// automatically (each hop is a new, checked request), and the connect time is bounded.
/// </summary>
public sealed class GuardedOutboundHandlerFactory(IHostResolver resolver, IOptions<OutboundOptions> options) : IOutboundHandlerFactory
{
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        UseProxy = false,
        Proxy = null,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.Value.ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;
        if (!options.Value.EffectivePorts.Contains(port))
            throw new OutboundRefusedException($"port {port} is not allowed (allowed: {string.Join(", ", options.Value.EffectivePorts)})");
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
            throw new OutboundRefusedException($"{host} does not resolve");
        foreach (var address in addresses)
            if (!AddressPolicy.IsPublic(address, out var reason))
                throw new OutboundRefusedException($"{host} resolves to {address}, {reason}");

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last!;
    }
}
