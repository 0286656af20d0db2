using System.Runtime.CompilerServices;
using System.Text.Json;

namespace BacklinkOrleans.Backlinks.Import;

/// <summary>
/// A JSON array of objects <c>{"url": …, "targetUrl": …, "anchor": …, "note": …, "priority": …}</c> (snake_case
/// names too), read element by element. Rows are numbered from 1 in array order.
/// </summary>
internal sealed class JsonImportReader : IImportReader
{
    public async IAsyncEnumerable<ImportRow> ReadAsync(Stream body, ImportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: cancellationToken);
        await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
        long number = 0;
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (JsonException e)
            {
                if (number == 0)
                    throw new ImportFormatException($"The body is not a JSON array of backlinks: {e.Message}");
                context.Aborted = $"The JSON could not be read past row {number}: {e.Message}";
                yield break;
            }
            if (!more)
                yield break;
            number++;
            var element = enumerator.Current;
            if (element.ValueKind != JsonValueKind.Object)
            {
                yield return new ImportRow(number, null, null, null, null, null, $"row {number} is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not an object");
                continue;
            }
            yield return new ImportRow(number, Text(element, "url"), Text(element, "targetUrl", "target_url"), Text(element, "anchor"),
                Text(element, "note"), Text(element, "priority"));
        }
    }

    private static string? Text(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                    continue;
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
        }
        return null;
    }
}
