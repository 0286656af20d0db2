using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace BacklinkOrleans.Sandbox.Server;

/// <summary>
/// How a client reaches the Sandbox, in the same process or in another (the <c>sandbox</c> verb): every host name
/// connects to its HTTP or HTTPS port on loopback, and only its CA is trusted. Nothing else on the machine is
/// redirected or trusts it.
/// </summary>
internal static class SandboxConnector
{
    /// <summary>The request header naming the client (a Host's process id), recorded in the Sandbox's log.</summary>
    public const string ClientHeader = "X-Sandbox-Client";

    /// <summary>
    /// A handler that connects every host name to the Sandbox (port 443 and https to <paramref name="httpsPort"/>,
    /// anything else to <paramref name="httpPort"/>) and trusts only certificates that chain to <paramref name="root"/>.
    /// </summary>
    public static HttpMessageHandler CreateHandler(int httpPort, int httpsPort, X509Certificate2 root, string? client = null)
    {
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var port = context.DnsEndPoint.Port == 443 || context.InitialRequestMessage.RequestUri?.Scheme == "https" ? httpsPort : httpPort;
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions =
            {
                CertificateChainPolicy = SandboxCertificateAuthority.ClientChainPolicy(root),
                RemoteCertificateValidationCallback = (_, _, _, errors) => SandboxCertificateAuthority.Trusts(errors),
            },
        };
        return client is null ? sockets : new NamingHandler(client) { InnerHandler = sockets };
    }

    /// <summary>Names the client on every request, so the Sandbox's log tells which Host of a cluster sent what.</summary>
    private sealed class NamingHandler(string client) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(ClientHeader);
            request.Headers.TryAddWithoutValidation(ClientHeader, client);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
