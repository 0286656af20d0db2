using System.Net;
using System.Net.Sockets;
using System.Text;
using BacklinkOrleans.Submission.IndexNow;
using BacklinkOrleans.Submission.Vendor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.Tests.Channels;

/// <summary>
/// Whether a request that got no answer may have reached the service, over real sockets: a connection that was never
/// established (the TLS handshake never answered within the connect timeout) proves it did not — its URLs wait
/// minutes, not a day — and a request that went out and whose connection was then lost may have.
/// </summary>
public sealed class NeverSentTests : IAsyncDisposable
{
    /// <summary>
    /// Accepts connections and never answers: a TLS handshake stalls there; a plain HTTP request is read whole, then
    /// the connection is closed without a response (the service took it, the answer was lost).
    /// </summary>
    private readonly TcpListener server = new(IPAddress.Loopback, 0);
    private readonly List<Socket> accepted = [];
    private readonly CancellationTokenSource stop = new();

    public NeverSentTests()
    {
        server.Start();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await server.AcceptSocketAsync(stop.Token);
                lock (accepted)
                    accepted.Add(socket);
                _ = Task.Run(() => HangUpAfterTheRequestAsync(socket));
            }
        });
    }

    private async Task HangUpAfterTheRequestAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read));
            var text = Encoding.ASCII.GetString([.. received]);
            var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headersEnd < 0)
                continue;
            var length = text[..headersEnd].Split("\r\n").Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(pair => int.Parse(pair[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            if (received.Count >= headersEnd + 4 + length)
            {
                socket.Close(); // the whole request arrived; no answer goes back
                return;
            }
        }
    }

    private int Port => ((IPEndPoint)server.LocalEndpoint).Port;

    private static IHttpClientFactory Clients(string name) =>
        new ServiceCollection().AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromMilliseconds(300), UseProxy = false })
            .Services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    [Theory]
    [InlineData("https", false)] // the handshake never completed: the connect timeout, nothing went out
    [InlineData("http", true)]   // the POST went out and the connection was lost before an answer: the engine may have it
    public async Task AnIndexNowPost_WithNoAnswer_MayHaveArrivedOnlyIfItWentOut(string scheme, bool mayHaveArrived)
    {
        var client = new IndexNowClient(Clients(IndexNowClient.ClientName), TimeProvider.System,
            Options.Create(new IndexNowOptions { EndpointOverride = new Uri($"{scheme}://127.0.0.1:{Port}/indexnow") }));

        var answer = await client.PostAsync("api.indexnow.org", "example.com", "0123456789abcdef", null, ["https://example.com/a"], CancellationToken.None);

        Assert.True((0, mayHaveArrived) == (answer.Status, answer.MayHaveArrived), $"{answer.Status} {answer.MayHaveArrived}: {answer.Excerpt}");
    }

    [Fact]
    public async Task AVendorTask_WhoseHandshakeNeverCompleted_WasNeverSent_AndOneSentButUnanswered_MayHaveBeen()
    {
        var handshake = new VendorClient(Clients(VendorClient.ClientName), Options.Create(new VendorOptions { Endpoint = new Uri($"https://127.0.0.1:{Port}") }));
        var unanswered = new VendorClient(Clients(VendorClient.ClientName), Options.Create(new VendorOptions { Endpoint = new Uri($"http://127.0.0.1:{Port}") }));

        var (_, refused) = await handshake.CreateAsync("vendor-key", VendorService.Indexer, "t-1", ["https://example.com/a"], CancellationToken.None);
        var (_, lost) = await unanswered.CreateAsync("vendor-key", VendorService.Indexer, "t-2", ["https://example.com/a"], CancellationToken.None);

        Assert.True(refused.NeverSent, refused.Excerpt);
        Assert.True((0, false) == (lost.Status, lost.NeverSent), $"{lost.Status}: {lost.Excerpt}");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        server.Stop();
        lock (accepted)
            accepted.ForEach(s => s.Dispose());
        stop.Dispose();
    }
}
