using System.IO.Compression;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Http;

namespace BacklinkOrleans.Validation.Sitemaps;

/// <summary>
/// The sitemap port: fetches a child sitemap through the outbound client (the SSRF guard, or the Sandbox), following
/// at most 5 redirects by hand, decompressing gzip, and capping what is read at 50 MB, as the sitemap protocol caps
/// a file. Only http(s) URLs are fetched.
/// </summary>
internal sealed class SitemapFetcher(IHttpClientFactory http) : ISitemapFetchPort
{
    public const long MaxBytes = 50L * 1024 * 1024;
    public const int MaxRedirects = Redirects.MaxRedirects;

    public async Task<Stream?> OpenAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var current) || current.Scheme is not ("http" or "https"))
            throw new IOException($"'{url}' is not an http(s) URL");
        var client = http.CreateClient(OutboundHttp.ClientName);
        var fetch = await Redirects.FollowAsync(current, Redirects.Get(client), sameHostOnly: false, cancellationToken, MaxRedirects);
        if (fetch.End != RedirectEnd.Answered || !fetch.Response!.IsSuccessStatusCode)
        {
            var why = fetch.End == RedirectEnd.Answered ? $"{fetch.Url} {fetch.Why}" : $"{url} {fetch.Why}";
            fetch.Dispose();
            throw new IOException(why);
        }
        var response = fetch.Response;
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var gzip = response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase)
                || fetch.Url.AbsolutePath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            return new CappedStream(gzip ? new GZipStream(body, CompressionMode.Decompress) : body, MaxBytes, response, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads at most a given number of bytes of the inner stream, then ends; every read obeys the fetch's token (the
    /// caller's deadline), however the reader calls it; owns the response.
    /// </summary>
    private sealed class CappedStream(Stream inner, long max, IDisposable owner, CancellationToken deadline) : Stream
    {
        private long read;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            deadline.ThrowIfCancellationRequested();
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, max - read)]);
            read += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (read >= max)
                return 0;
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, max - read)], both.Token);
            read += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
