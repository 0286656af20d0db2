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

    private async Task<IReadOnlyCollection<XElement>> GetAllAsync()
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name");
        await using var reader = await command.ExecuteReaderAsync();
        var elements = new List<XElement>();
        while (await reader.ReadAsync())
            elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    private async Task StoreAsync(XElement element, string friendlyName)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
                "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (friendly_name) DO NOTHING")
            .With("name", friendlyName).With("xml", element.ToString(SaveOptions.DisableFormatting)).With("at", UnixTime.ToMicroseconds(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync();
    }
}
