using System.Net;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>
/// A request body that knows whether it began to go out. The handler writes the body only on a connection it has
/// established (TCP and TLS done), so a request that failed before <see cref="Started"/> cannot have reached the
/// service — whatever the exception says. A connection that took longer than the handler's connect timeout (a busy
/// machine, hundreds of TLS handshakes at once) ends in a bare "operation was canceled", which alone reads like a
/// timeout after sending: without this, those URLs were held for a day as "may have arrived".
/// </summary>
internal sealed class TrackedContent(byte[] body) : ByteArrayContent(body)
{
    private int started;

    /// <summary>The handler began to write the body (on any attempt): the service may have the request.</summary>
    public bool Started => Volatile.Read(ref started) == 1;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        Interlocked.Exchange(ref started, 1);
        return base.SerializeToStreamAsync(stream, context);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref started, 1);
        return base.SerializeToStreamAsync(stream, context, cancellationToken);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref started, 1);
        base.SerializeToStream(stream, context, cancellationToken);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref started, 1); // whoever reads it may send it
        return base.CreateContentReadStream(cancellationToken);
    }

    protected override Task<Stream> CreateContentReadStreamAsync()
    {
        Interlocked.Exchange(ref started, 1);
        return base.CreateContentReadStreamAsync();
    }
}
