using System.IO.Compression;
using System.Text;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>Reads a response body from a host we do not trust: decompressed when gzip, never more than a cap.</summary>
public static class CappedBody
{
    /// <summary>The body as UTF-8 text, at most <paramref name="maxBytes"/> after decompression; Truncated when cut there.</summary>
    public static async Task<(string Text, bool Truncated)> ReadTextAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        await using var raw = await response.Content.ReadAsStreamAsync(cancellationToken);
        var gzip = response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase);
        await using Stream body = gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var collected = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        try
        {
            while (collected.Length < maxBytes
                   && (n = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes - collected.Length)), cancellationToken)) > 0)
                collected.Write(chunk, 0, n);
        }
        catch (InvalidDataException)
        {
            // a broken gzip stream: what decompressed is all there is
        }
        return (Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length), collected.Length >= maxBytes);
    }
}
