using System.Security.Cryptography;
using BacklinkOrleans.SharedKernel.Hosting;
using Microsoft.Extensions.Configuration;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>
/// The 256-bit key that encrypts the Data Protection key ring. It lives outside the database — in the environment
/// (<c>DataProtection__MasterKey</c>, base64) or a file (<c>DataProtection:MasterKeyFile</c>) — so a copy of the
/// database alone reveals no credential. Every silo of a cluster needs the same one.
/// </summary>
internal sealed class MasterKey
{
    public const int Length = 32;

    private MasterKey(byte[] bytes, string source)
    {
        Bytes = bytes;
        Source = source;
        Id = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
    }

    internal byte[] Bytes { get; }

    /// <summary>A non-secret identifier, recorded with each encrypted key so a wrong master key is named, not guessed.</summary>
    public string Id { get; }

    public string Source { get; }

    /// <summary>
    /// From DataProtection:MasterKey, else DataProtection:MasterKeyFile, else <paramref name="defaultFile"/> (created,
    /// readable only by the owner, when it does not exist). Throws saying what to set when there is none.
    /// </summary>
    public static MasterKey Load(IConfiguration configuration, string? defaultFile)
    {
        if (configuration["DataProtection:MasterKey"] is { Length: > 0 } encoded)
            return new MasterKey(Decode(encoded, "DataProtection:MasterKey"), "DataProtection:MasterKey");
        var file = configuration["DataProtection:MasterKeyFile"] is { Length: > 0 } configured ? configured : defaultFile;
        if (file is null)
            throw new StartupCheckException(
                "No master key for credential encryption: set DataProtection__MasterKey (32 random bytes, base64; e.g. `openssl rand -base64 32`) "
                + "or DataProtection:MasterKeyFile, the same on every silo.");
        if (!File.Exists(file))
        {
            using var writer = OwnerOnlyFile.Create(file, FileMode.CreateNew, System.Text.Encoding.ASCII);
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(Length)));
        }
        return new MasterKey(Decode(File.ReadAllText(file).Trim(), file), Path.GetFullPath(file));
    }

    /// <summary>A key given as base64 (a new key for rotation); throws saying what is wrong with it.</summary>
    public static MasterKey FromBase64(string encoded, string source) => new(Decode(encoded.Trim(), source), source);

    private static byte[] Decode(string encoded, string source)
    {
        try
        {
            var bytes = Convert.FromBase64String(encoded);
            if (bytes.Length == Length)
                return bytes;
        }
        catch (FormatException)
        {
        }
        throw new StartupCheckException($"The master key in {source} must be {Length} bytes in base64.");
    }
}

/// <summary>The event log's chain key, derived from the master key (ADR 0023): both live outside the database, and rotate together.</summary>
internal sealed class MasterKeyChainKey(MasterKey master) : BacklinkOrleans.SharedKernel.EventStore.IEventChainKeySource
{
    private readonly Lazy<BacklinkOrleans.SharedKernel.EventStore.EventChainKey> key = new(() => BacklinkOrleans.SharedKernel.EventStore.EventChainKey.FromMasterKey(master.Bytes));

    public BacklinkOrleans.SharedKernel.EventStore.EventChainKey Key => key.Value;
}
