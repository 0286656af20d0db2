using System.Net;
using System.Net.Sockets;
using System.Text;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.SharedKernel.Tests;

/// <summary>
/// The outbound client opens at most <c>Outbound:MaxConnectionsPerSite</c> connections to one site: further requests
/// wait for a free connection instead of opening (and handshaking) one each. Over real sockets.
/// </summary>
public sealed class OutboundConnectionsTests : IAsyncDisposable
{
    private readonly TcpListener server = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private int connections;

    public OutboundConnectionsTests()
    {
        server.Start();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await server.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref connections);
                _ = Task.Run(() => AnswerSlowlyAsync(socket));
            }
        });
    }

    /// <summary>Answers each request on the connection (keep-alive) after 200 ms, so requests overlap.</summary>
    private async Task AnswerSlowlyAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
            {
                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    pending.Remove(0, end + 4); // GETs: no body
                    await Task.Delay(200, stop.Token);
                    await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), SocketFlags.None, stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // the test is over
        }
    }

    /// <summary>The outbound client as the modules register it, on a plain socket handler under a delegating one (as the Sandbox's is).</summary>
    private static HttpClient OutboundClient(int? perSite)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IOutboundHandlerFactory>(new PlainHandlers());
        if (perSite is { } max)
            services.Configure<OutboundOptions>(o => o.MaxConnectionsPerSite = max);
        services.AddOutboundHttp();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(OutboundHttp.ClientName);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(null, 6)] // the default: a browser's six
    public async Task ConcurrentRequestsToOneSite_ShareAtMostTheCappedConnections(int? perSite, int expected)
    {
        var client = OutboundClient(perSite);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.GetStringAsync(new Uri($"http://127.0.0.1:{Port}/page/{i}"))));

        Assert.All(answers, a => Assert.Equal("ok", a)); // every request was answered, the ones that waited too
        Assert.InRange(Volatile.Read(ref connections), 1, expected);
    }

    [Fact]
    public void ACapBelowOne_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OutboundHttp.LimitConnections(new SocketsHttpHandler(), 0));

    private int Port => ((IPEndPoint)server.LocalEndpoint).Port;

    private sealed class PlainHandlers : IOutboundHandlerFactory
    {
        public HttpMessageHandler CreateHandler() => new PassThrough { InnerHandler = new SocketsHttpHandler { UseProxy = false } };
    }

    private sealed class PassThrough : DelegatingHandler;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        server.Stop();
        stop.Dispose();
    }
}
