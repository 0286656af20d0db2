using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// An IndexNow key: <c>host</c>, <c>key</c>, optional <c>keyLocation</c> (a URL of the key file on the same host) and
/// <c>endpoint</c>. One key per host per tenant. Verified by fetching the key file through the guarded client.
/// </summary>
internal sealed partial class IndexNowCredentialKind(IHttpClientFactory http) : ICredentialKind
{
    public string Kind => CredentialKinds.IndexNow;

    public string Describe => "An IndexNow key: host, key (8-128 characters of a-z, A-Z, 0-9 and '-'), optional keyLocation and endpoint.";

    public CredentialDraft Read(JsonElement request)
    {
        var host = Text(request, "host")?.Trim().ToLowerInvariant().TrimEnd('.');
        var key = Text(request, "key");
        var keyLocation = Text(request, "keyLocation");
        var endpoint = Text(request, "endpoint");
        var errors = new List<(string, string)>();
        if (string.IsNullOrEmpty(host) || !UrlNormalizer.TryNormalize($"https://{host}/", out var hostUrl, out _) || hostUrl.Host != host)
            errors.Add(("host", "'host' is a host name such as www.example.com (no scheme, port or path)."));
        if (key is null || !KeyFormat().IsMatch(key))
            errors.Add(("key", "An IndexNow key is 8-128 characters of a-z, A-Z, 0-9 and '-'."));
        NormalizedUrl? location = null;
        if (keyLocation is not null && (!UrlNormalizer.TryNormalize(keyLocation, out location, out _) || location.Host != host))
            errors.Add(("keyLocation", "'keyLocation' is a URL of the key file on the same host."));
        if (endpoint is not null && !IndexNowChannel.Endpoints.Contains(endpoint))
            errors.Add(("endpoint", $"'endpoint' is one of {string.Join(", ", IndexNowChannel.Endpoints)}."));
        if (errors.Count > 0)
            return CredentialDraft.Invalid([.. errors]);
        // A key file is often named after its key: store the location with the key replaced by a placeholder.
        var stored = location?.Value.Replace(key!, IndexNowKeyScope.KeyPlaceholder, StringComparison.Ordinal);
        return CredentialDraft.Of(key!, new CredentialScope(Host: host, KeyLocation: stored, Endpoint: endpoint ?? IndexNowChannel.Endpoints[0]),
            $"key:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key!)))[..8]}");
    }

    public string? UniqueKeyOf(CredentialScope scope) => scope.Host;

    /// <summary>Fetches the key file (keyLocation, else https://host/{key}.txt; same-host redirects followed, at most 5) and compares it with the key.</summary>
    public async Task<CredentialCheck?> VerifyAsync(CredentialView credential, string secret, CancellationToken cancellationToken)
    {
        // The stored location (and the default file's name) carry a placeholder for the key; only the fetch uses the key.
        var shown = credential.Scope.KeyLocation ?? $"https://{credential.Scope.Host}/{IndexNowKeyScope.KeyPlaceholder}.txt";
        var file = new Uri(shown.Replace(IndexNowKeyScope.KeyPlaceholder, Uri.EscapeDataString(secret), StringComparison.Ordinal));
        try
        {
            using var client = http.CreateClient(OutboundHttp.ClientName);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            using var fetch = await Redirects.FollowAsync(file, Redirects.Get(client), sameHostOnly: true, timeout.Token);
            if (fetch.End != RedirectEnd.Answered)
                return new CredentialCheck(false, $"{shown} {fetch.Why.Replace(secret, IndexNowKeyScope.KeyPlaceholder, StringComparison.Ordinal)}");
            if (!fetch.Response!.IsSuccessStatusCode)
                return new CredentialCheck(false, $"{shown} answered {(int)fetch.Response.StatusCode}");
            // a key file is one line: never read an unbounded body
            var (content, _) = await CappedBody.ReadTextAsync(fetch.Response, 4096, timeout.Token);
            return content.Trim() == secret
                ? new CredentialCheck(true, $"{shown} holds the key")
                : new CredentialCheck(false, $"{shown} does not hold this key");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return new CredentialCheck(false, $"{shown} could not be fetched now: {e.Message.Replace(secret, IndexNowKeyScope.KeyPlaceholder, StringComparison.Ordinal)}",
                Definite: false);
        }
    }

    private static string? Text(JsonElement request, string name) =>
        request.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^[a-zA-Z0-9-]{8,128}$")]
    private static partial Regex KeyFormat();
}
