using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Storage.EventStore;

/// <summary>
/// The per-stream hash chain: each event's hash is HMAC-SHA256 under the chain key (ADR 0023) over the previous
/// event's hash (32 zero bytes for the first) and every stored field of the event but its position, each field
/// length-prefixed so no two different rows hash alike. Editing, deleting or inserting a row breaks the chain at that
/// row, and only the key's holder can make a chain that matches a forged history. Without a key (a log written before
/// the chain was keyed, and the storage tests) the hash is plain SHA-256.
/// </summary>
public static class EventHashChain
{
    public const int HashLength = 32;

    public static byte[] Genesis => new byte[HashLength];

    /// <summary>
    /// The hasher this thread used last, with the key it was made for: setting up an HMAC costs more than hashing one
    /// event, and the group-commit writer hashes every event of a batch under the same key. Each use ends with
    /// <see cref="IncrementalHash.GetHashAndReset"/>, which leaves it ready (keyed) for the next.
    /// </summary>
    [ThreadStatic]
    private static (EventChainKey? Key, IncrementalHash? Hash) last;

    private static IncrementalHash HasherFor(EventChainKey? key)
    {
        if (last.Hash is { } reused && ReferenceEquals(last.Key, key))
            return reused;
        last.Hash?.Dispose();
        var hash = key is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Bytes);
        last = (key, hash);
        return hash;
    }

    public static byte[] Compute(EventChainKey? key, ReadOnlySpan<byte> previous, StoredEvent e)
    {
        var hash = HasherFor(key);
        hash.AppendData(previous);
        AppendString(hash, e.StreamId);
        AppendInt64(hash, e.Version);
        Span<byte> id = stackalloc byte[16];
        e.EventId.TryWriteBytes(id, bigEndian: true, out _);
        hash.AppendData(id);
        AppendString(hash, e.Type);
        AppendString(hash, e.Data);
        AppendString(hash, e.Metadata);
        AppendInt64(hash, ToUnixMicroseconds(e.RecordedAt));
        return hash.GetHashAndReset();
    }

    /// <summary>Both databases keep microseconds; the hash and the row must agree on the instant.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);

    public static long ToUnixMicroseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromUnixMicroseconds(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    private static void AppendString(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendInt64(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private static void AppendInt64(IncrementalHash hash, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        hash.AppendData(buffer);
    }
}
