using System.Data.Common;
using System.Xml.Linq;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>
/// Rotates the master key (ADR 0023), with every Host stopped: the credential key ring is decrypted with the current
/// key and encrypted with the new one, and the event log's hash chains are verified under the current chain key and
/// rehashed under the new one — in one transaction, so a failure changes nothing. Afterwards only the new key opens
/// the credentials and matches the chains.
/// </summary>
internal static class MasterKeyRotation
{
    /// <param name="newKeyBase64">The new master key: 32 random bytes, base64.</param>
    /// <param name="rekey">The event store's rehash of every stream, in the rotation's transaction.</param>
    public static async Task<MasterKeyRotated> RotateAsync(IServiceProvider services, string newKeyBase64, string newKeySource,
        Func<DbConnection, DbTransaction, EventChainKey, EventChainKey, CancellationToken, Task<long>> rekey, CancellationToken cancellationToken)
    {
        var current = services.GetRequiredService<MasterKey>();
        var next = MasterKey.FromBase64(newKeyBase64, newKeySource);
        if (next.Id == current.Id)
            throw new InvalidOperationException($"The new master key is the current one ({current.Id}): nothing to rotate.");
        var (fromChain, toChain) = (EventChainKey.FromMasterKey(current.Bytes), EventChainKey.FromMasterKey(next.Bytes));
        var database = services.GetRequiredService<IReadModelDatabase>();
        return await database.WriteAsync("rotate-master-key", async (connection, transaction, ct) =>
        {
            var entries = await ReencryptKeyRingAsync(connection, transaction, current, next, ct);
            var events = await rekey(connection, transaction, fromChain, toChain, ct);
            return new MasterKeyRotated(current.Id, next.Id, fromChain.Id, toChain.Id, entries, events);
        }, cancellationToken);
    }

    private static async Task<int> ReencryptKeyRingAsync(DbConnection connection, DbTransaction transaction, MasterKey current, MasterKey next,
        CancellationToken cancellationToken)
    {
        var rows = new List<(string Name, string Xml)>();
        await using (var read = connection.Command("SELECT friendly_name, xml FROM data_protection_keys", transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                rows.Add((reader.GetString(0), reader.GetString(1)));
        foreach (var (name, xml) in rows)
        {
            var element = XElement.Parse(xml);
            foreach (var sealedEntry in element.Descendants(MasterKeyXmlEncryptor.ElementName).ToList())
                sealedEntry.ReplaceWith(MasterKeyXmlEncryptor.Seal(next, MasterKeyXmlDecryptor.Open(current, sealedEntry)));
            await using var update = connection.Command("UPDATE data_protection_keys SET xml = @xml WHERE friendly_name = @name", transaction)
                .With("xml", element.ToString(SaveOptions.DisableFormatting)).With("name", name);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        return rows.Count;
    }
}
