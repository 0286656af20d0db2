using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BacklinkOrleans.Host.Web;

/// <summary>
/// The web page's way to the system: it is one more client of the HTTP API, calling it over loopback with the signed-in
/// user's key (kept in the encrypted sign-in cookie), so the page can do nothing the API would not let that key do.
/// </summary>
internal sealed class WebApi(IHttpContextAccessor accessor, IHttpClientFactory clients)
{
    public const string ClientName = "web-self";

    private HttpContext Context => accessor.HttpContext ?? throw new InvalidOperationException("No request.");

    public string? Key => Context.User.FindFirstValue(WebUi.KeyClaim);

    public string? Tenant => Context.User.FindFirstValue(WebUi.TenantClaim);

    /// <summary>A client for this Host's own API, with <paramref name="key"/> (default: the signed-in user's).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = clients.CreateClient(ClientName);
        var connection = Context.Connection;
        var address = connection.LocalIpAddress is { } ip && !IPAddress.Any.Equals(ip) && !IPAddress.IPv6Any.Equals(ip) ? ip : IPAddress.Loopback;
        client.BaseAddress = new Uri($"http://{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{connection.LocalPort}");
        client.DefaultRequestHeaders.Add("X-Api-Key", key ?? Key ?? "");
        return client;
    }

    public async Task<JsonNode?> GetAsync(string path)
    {
        using var client = Client();
        using var response = await client.GetAsync(path, Context.RequestAborted);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(Context.RequestAborted)) : null;
    }

    /// <summary>POSTs to the API; answers the status and, for errors, the problem's sentence.</summary>
    public async Task<(bool Ok, string Message, JsonNode? Body)> PostAsync(string path, HttpContent? content = null)
    {
        using var client = Client();
        using var response = await client.PostAsync(path, content ?? JsonContent.Create(new { }), Context.RequestAborted);
        var text = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        JsonNode? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (JsonException)
        {
        }
        return response.IsSuccessStatusCode
            ? (true, "", body)
            : (false, (string?)body?["detail"] ?? (string?)body?["title"] ?? $"The API answered {(int)response.StatusCode}.", body);
    }

    public async Task<HttpResponseMessage> GetRawAsync(string path)
    {
        var client = Client();
        return await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, Context.RequestAborted);
    }

    public static StreamContent Csv(Stream stream)
    {
        var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }
}
