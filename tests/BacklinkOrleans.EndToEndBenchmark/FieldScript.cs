using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>
/// What agencies run today (the google-indexing-script family): one URL list, sent sequentially, 10 URLs a POST to
/// IndexNow, a 200 ms pause between POSTs. It talks to the same simulated engine as the system, with the same added
/// latency, over HTTPS; it does not route, validate, dedupe, record or check anything.
/// </summary>
internal static class FieldScript
{
    public const int UrlsPerPost = 10;
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    /// <summary>Sends <paramref name="count"/> URLs (10 a POST, of one host each); returns URLs accepted per second.</summary>
    public static async Task<(double UrlsPerSecond, int Accepted, TimeSpan Elapsed)> RunAsync(int sandboxHttpsPort,
        IReadOnlyList<(string Host, string Key)> sites, int count)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, sandboxHttpsPort), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            // The Sandbox's own CA: this is the simulated engine on loopback, not a real one.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += UrlsPerPost)
        {
            var (host, key) = sites[sent / UrlsPerPost % sites.Count];
            var urls = Enumerable.Range(sent, Math.Min(UrlsPerPost, count - sent)).Select(i => $"https://{host}/script/{i}").ToList();
            using var response = await client.PostAsJsonAsync("https://api.indexnow.org/indexnow", new { host, key, urlList = urls });
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted)
                accepted += urls.Count;
            await Task.Delay(Pause);
        }
        clock.Stop();
        return (accepted / clock.Elapsed.TotalSeconds, accepted, clock.Elapsed);
    }
}
