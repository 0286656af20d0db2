using System.Xml.Linq;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>
/// The Data Protection key ring in the application database (table <c>data_protection_keys</c>), so every silo of
/// a cluster shares it. The rows hold key XML already encrypted by the master key.
/// </summary>
internal sealed class DatabaseXmlRepository(IReadModelDatabase database, TimeProvider time) : IXmlRepository
{
    // IXmlRepository is synchronous; it is called when the key ring loads or rolls, never on a request's hot path.
    public IReadOnlyCollection<XElement> GetAllElements() => GetAllAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => StoreAsync(element, friendlyName).GetAwaiter().GetResult();

    private Task<IReadOnlyCollection<XElement>> GetAllAsync() =>
        database.ReadAsync<IReadOnlyCollection<XElement>>(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var elements = new List<XElement>();
            while (await reader.ReadAsync(ct))
                elements.Add(XElement.Parse(reader.GetString(0)));
            return elements;
        });

    private Task StoreAsync(XElement element, string friendlyName) =>
        database.WriteAsync("data-protection-key", async (connection, transaction, ct) =>
        {
            await using var command = connection.Command(
                    "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (friendly_name) DO NOTHING", transaction)
                .With("name", friendlyName).With("xml", element.ToString(SaveOptions.DisableFormatting)).With("at", UnixTime.ToMicroseconds(time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(ct);
        });
}
