using System.Security.Cryptography;

namespace BacklinkOrleans.SharedKernel.EventStore;

/// <summary>
/// The key of the event log's hash chains (ADR 0023): each event's hash is an HMAC under it, so rewriting a history
/// and its hashes needs this key, which lives outside the database. Derived from the master key with HKDF under a
/// label of its own, so it is never the key that encrypts credentials; rotating the master key rotates it.
/// </summary>
public sealed class EventChainKey
{
    private static readonly byte[] Label = "backlink-orleans/event-chain/v1"u8.ToArray();

    private EventChainKey(byte[] bytes)
    {
        Bytes = bytes;
        Id = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
    }

    public byte[] Bytes { get; }

    /// <summary>A non-secret name of the key, recorded with the log so a different key is named, not guessed.</summary>
    public string Id { get; }

    public static EventChainKey FromMasterKey(byte[] masterKey) => new(HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, salt: [], info: Label));
}

/// <summary>Where the running Host's chain key comes from (the Accounts module, from the master key).</summary>
public interface IEventChainKeySource
{
    EventChainKey Key { get; }
}
