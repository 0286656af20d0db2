using System.Buffers;
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
        // A buffer from the pool, as large as the declared length when that is known (most pages are small), grown up to the cap.
        var size = (int)Math.Clamp(!gzip && response.Content.Headers.ContentLength is { } declared ? declared + 1 : 16 * 1024, 1, maxBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var length = 0;
        try
        {
            while (length < maxBytes)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var n = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes) - length), cancellationToken);
                if (n == 0)
                    break;
                length += n;
            }
        }
        catch (InvalidDataException)
        {
            // a broken gzip stream: what decompressed is all there is
        }
        try
        {
            return (length == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, length), length >= maxBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
