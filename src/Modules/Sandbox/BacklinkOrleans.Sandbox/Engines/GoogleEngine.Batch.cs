using System.Text;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>The Indexing API's batch endpoint: up to 100 parts in one multipart/mixed request, each answered on its own.</summary>
internal sealed partial class GoogleEngine
{
    /// <summary>A multipart/mixed batch: each part an HTTP request of its own, answered in order with the outer request's token.</summary>
    private async Task BatchAsync(HttpContext context, string? body)
    {
        var boundary = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType) && mediaType.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            await WriteAsync(context, Error(400, "Batch requests must be multipart/mixed with a boundary.", "INVALID_ARGUMENT"));
            return;
        }
        var requests = new List<(string Method, string PathAndQuery, string? ContentType, string? Body)>();
        var reader = new MultipartReader(boundary, new MemoryStream(Encoding.UTF8.GetBytes(body ?? "")));
        while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
        {
            using var text = new StreamReader(section.Body, Encoding.UTF8);
            var part = ParsePart(await text.ReadToEndAsync(context.RequestAborted));
            if (part is null)
            {
                await WriteAsync(context, Error(400, "A part of the batch is not an HTTP request.", "INVALID_ARGUMENT"));
                return;
            }
            requests.Add(part.Value);
        }
        if (requests.Count == 0 || requests.Count > GoogleSimulation.MaxPartsPerBatch)
        {
            await WriteAsync(context, Error(400, $"A batch holds 1 to {GoogleSimulation.MaxPartsPerBatch} requests; this one has {requests.Count}.", "INVALID_ARGUMENT"));
            return;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        var answer = new StringBuilder();
        var outer = "batch_" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < requests.Count; i++)
        {
            var (method, pathAndQuery, contentType, partBody) = requests[i];
            var result = await ApiAsync(method, pathAndQuery, authorization, contentType, partBody, inBatch: true);
            answer.Append("--").Append(outer).Append("\r\nContent-Type: application/http\r\nContent-ID: response-").Append(i + 1).Append("\r\n\r\n")
                .Append("HTTP/1.1 ").Append(result.Status).Append(' ').Append(ReasonPhrases.GetReasonPhrase(result.Status))
                .Append("\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n").Append(result.Body).Append("\r\n");
        }
        answer.Append("--").Append(outer).Append("--\r\n");
        context.Response.StatusCode = 200;
        context.Response.ContentType = $"multipart/mixed; boundary={outer}";
        await context.Response.WriteAsync(answer.ToString());
    }

    /// <summary>"POST https://indexing.googleapis.com/v3/…" (or a path), headers, a blank line, the body.</summary>
    private static (string Method, string PathAndQuery, string? ContentType, string? Body)? ParsePart(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length && lines[i].Length == 0)
            i++;
        if (i >= lines.Length)
            return null;
        var requestLine = lines[i++].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requestLine.Length < 2)
            return null;
        var target = requestLine[1];
        var pathAndQuery = Uri.TryCreate(target, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : target;
        string? contentType = null;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':');
            if (colon > 0 && lines[i][..colon].Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                contentType = lines[i][(colon + 1)..].Trim();
        }
        var body = i < lines.Length ? string.Join('\n', lines[(i + 1)..]).Trim() : null;
        return (requestLine[0].ToUpperInvariant(), Uri.UnescapeDataString(pathAndQuery.Split('?')[0]) + (pathAndQuery.Contains('?') ? pathAndQuery[pathAndQuery.IndexOf('?')..] : ""),
            contentType, string.IsNullOrEmpty(body) ? null : body);
    }
}
