using System.Text;

namespace BacklinkOrleans.Testing;

/// <summary>
/// An upload body generated as it is read, never held in memory: a prefix, a run of one byte, and a suffix (an
/// oversized field between good rows). Samples the reading process's live heap every 16 MB when asked to.
/// </summary>
public sealed class GeneratedBody(string prefix, byte fill, long count, string suffix, bool sampleHeap = false) : Stream
{
    private readonly byte[] head = Encoding.UTF8.GetBytes(prefix);
    private readonly byte[] tail = Encoding.UTF8.GetBytes(suffix);
    private long position;
    private long nextSample;

    /// <summary>The largest live heap seen while reading (with <c>sampleHeap</c>).</summary>
    public long PeakHeap { get; private set; }

    public override int Read(byte[] buffer, int offset, int length)
    {
        if (sampleHeap && position >= nextSample)
        {
            PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(forceFullCollection: true));
            nextSample += 16L * 1024 * 1024;
        }
        var written = 0;
        while (written < length)
        {
            if (position < head.Length)
                buffer[offset + written++] = head[position++];
            else if (position < head.Length + count)
            {
                var n = (int)Math.Min(length - written, head.Length + count - position);
                Array.Fill(buffer, fill, offset + written, n);
                written += n;
                position += n;
            }
            else if (position < head.Length + count + tail.Length)
                buffer[offset + written++] = tail[position++ - head.Length - count];
            else
                break;
        }
        return written;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
