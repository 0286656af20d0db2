namespace BacklinkOrleans.Backlinks.Import;

/// <summary>One line of an upload as bytes (without its line break), or the fact that it was longer than allowed.</summary>
internal readonly record struct RawLine(long Number, ReadOnlyMemory<byte> Bytes, bool TooLong);

/// <summary>
/// Reads an upload line by line as bytes, never holding more than one buffer: a line longer than the cap is reported
/// as too long and skipped to its end, so one oversized field costs no more memory than a short one and the lines
/// after it are read as usual. A line's bytes are valid until the next read.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, int maxLineBytes)
{
    private readonly byte[] buffer = new byte[Math.Max(maxLineBytes + 1, 16 * 1024)];
    private int start, end;
    private bool eof;
    private long number;

    public async ValueTask<RawLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var skipping = false;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = new RawLine(++number, skipping ? default : TrimCr(buffer.AsMemory(start, newline)), skipping);
                start += newline + 1;
                return line;
            }
            if (eof)
            {
                if (start == end && !skipping)
                    return null;
                var last = new RawLine(++number, skipping ? default : TrimCr(buffer.AsMemory(start, end - start)), skipping);
                start = end;
                return last;
            }
            if (end - start > maxLineBytes)
            {
                skipping = true; // the line is too long: forget what was read of it, and read on to its end
                start = end = 0;
            }
            else if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }
            var n = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (n == 0)
                eof = true;
            end += n;
        }
    }

    private static ReadOnlyMemory<byte> TrimCr(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
}
