using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Accounts.Protection;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Accounts.Credentials;

/// <summary>The outcome of adding a credential: the view, or why it was refused.</summary>
internal sealed record AddOutcome(CredentialView? Credential, string? Conflict);

/// <summary>
/// Tenants' third-party credentials. Secrets are encrypted with the tenant's protector before they enter an event;
/// events, tables, logs and answers carry scope and fingerprints only.
/// </summary>
internal sealed class CredentialDirectory(
    IEventStore store,
    EventTypeRegistry registry,
    IReadModelDatabase database,
    CredentialVault vault,
    IHttpClientFactory http,
    TimeProvider time) : ICredentialDirectory
{
    /// <summary>Stands for the key in a stored keyLocation; put back only when the file is fetched or sent.</summary>
    private const string KeyPlaceholder = IndexNowKeyScope.KeyPlaceholder;

    private const string Columns = "credential_id, kind, scope, fingerprint, status, detail, verified_at, created_at, protected";

    private static string StreamOf(TenantId tenant, string id) => $"credential/{tenant.Value}/{id}";

    public async Task<AddOutcome> AddAsync(TenantId tenant, AddCredentialRequest request, CancellationToken cancellationToken)
    {
        var (secret, scope, fingerprint) = Describe(request);
        if (request.Kind == CredentialKinds.IndexNow
            && (await ListAsync(tenant, cancellationToken)).Any(c => c.Kind == CredentialKinds.IndexNow && c.Scope.Host == scope.Host))
            return new AddOutcome(null, $"An IndexNow key for {scope.Host} exists already; remove it first to replace it.");

        var id = Guid.CreateVersion7().ToString("N");
        var label = string.IsNullOrWhiteSpace(request.Label) ? $"{request.Kind} credential" : request.Label.Trim();
        var added = new CredentialAdded(Guid.NewGuid(), tenant.Value, id, request.Kind!, label, scope, fingerprint, vault.Protect(tenant, secret), time.GetUtcNow());
        await store.AppendAsync(StreamOf(tenant, id), 0, [registry.ToEventData(added)], cancellationToken);
        return new AddOutcome(new CredentialView(id, added.Kind, label, scope, fingerprint, CredentialStatuses.Unverified, null, null, added.At), null);
    }

    private static (string Secret, CredentialScope Scope, string Fingerprint) Describe(AddCredentialRequest r)
    {
        switch (r.Kind)
        {
            case CredentialKinds.IndexNow:
                var host = r.Host!.Trim().ToLowerInvariant().TrimEnd('.');
                // A key file is often named after its key: store the location with the key replaced by a placeholder.
                var location = r.KeyLocation is null ? null : UrlNormalizer.Normalize(r.KeyLocation).Value.Replace(r.Key!, KeyPlaceholder, StringComparison.Ordinal);
                return (r.Key!, new CredentialScope(Host: host, KeyLocation: location, Endpoint: r.Endpoint ?? CredentialKinds.IndexNowEndpoints[0]),
                    $"key:{Sha256(r.Key!)[..8]}");
            case CredentialKinds.Google:
                using (var json = JsonDocument.Parse(r.ServiceAccountJson!))
                {
                    var email = json.RootElement.GetProperty("client_email").GetString()!;
                    var keyId = json.RootElement.TryGetProperty("private_key_id", out var k) ? k.GetString() : null;
                    return (r.ServiceAccountJson!, new CredentialScope(ClientEmail: email, Properties: [.. r.Properties!]),
                        $"{email} key:{(keyId is { Length: >= 8 } ? keyId[..8] : Sha256(r.ServiceAccountJson!)[..8])}");
                }
            default:
                return (r.ApiKey!, new CredentialScope(), $"key:{Sha256(r.ApiKey!)[..8]}");
        }
    }

    public async Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(tenant, null, cancellationToken)).Select(r => r.View)];

    public async Task<CredentialView?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken) =>
        (await ReadAsync(tenant, id, cancellationToken)).SingleOrDefault().View;

    public async Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken) =>
        (await ReadAsync(tenant, credentialId, cancellationToken)).SingleOrDefault() is { View: not null } row
            ? vault.Unprotect(tenant, row.Protected)
            : null;

    /// <summary>
    /// IndexNow: fetches the key file (keyLocation, else https://host/{key}.txt) through the outbound client and
    /// compares it with the key. Null when there is no such credential; throws for kinds not verifiable yet.
    /// </summary>
    public async Task<CredentialView?> VerifyAsync(TenantId tenant, string id, CancellationToken cancellationToken)
    {
        var credential = await GetAsync(tenant, id, cancellationToken);
        if (credential is null)
            return null;
        if (credential.Kind != CredentialKinds.IndexNow)
            throw new NotVerifiableException($"Verifying {credential.Kind} credentials arrives with the {credential.Kind} channel; only IndexNow keys can be verified now.");
        var key = (await RevealAsync(tenant, id, cancellationToken))!;
        // The stored location (and the default file's name) carry a placeholder for the key; only the fetch uses the key.
        var shown = credential.Scope.KeyLocation ?? $"https://{credential.Scope.Host}/{KeyPlaceholder}.txt";
        var file = new Uri(shown.Replace(KeyPlaceholder, Uri.EscapeDataString(key), StringComparison.Ordinal));
        var (passed, detail, definite) = await FetchKeyFileAsync(file, shown, key, cancellationToken);
        if (!definite)
            return credential with { Detail = detail }; // a timeout or a dropped connection proves nothing: the status stays
        var verified = new CredentialVerified(Guid.NewGuid(), id, passed, detail, time.GetUtcNow());
        var stream = StreamOf(tenant, id);
        var version = (await store.ReadStreamAsync(stream, cancellationToken: cancellationToken)).Count;
        await store.AppendAsync(stream, version, [registry.ToEventData(verified)], cancellationToken);
        return credential with { Status = passed ? CredentialStatuses.Verified : CredentialStatuses.Failed, Detail = detail, VerifiedAt = verified.At };
    }

    /// <summary>Fetches the key file (same-host redirects followed, at most 5). Definite: the host answered.</summary>
    private async Task<(bool Passed, string Detail, bool Definite)> FetchKeyFileAsync(Uri file, string shown, string key, CancellationToken cancellationToken)
    {
        try
        {
            using var client = http.CreateClient(OutboundHttp.ClientName);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            for (var hop = 0; hop <= 5; hop++)
            {
                using var response = await client.GetAsync(file, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location
                    && new Uri(file, location) is { Scheme: "http" or "https" } next && next.Host == file.Host)
                {
                    file = next;
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    return (false, $"{shown} answered {(int)response.StatusCode}", true);
                // a key file is one line: never read an unbounded body
                var (content, _) = await CappedBody.ReadTextAsync(response, 4096, timeout.Token);
                return content.Trim() == key
                    ? (true, $"{shown} holds the key", true)
                    : (false, $"{shown} does not hold this key", true);
            }
            return (false, $"{shown} redirects more than 5 times", true);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (false, $"{shown} could not be fetched now: {e.Message.Replace(key, KeyPlaceholder, StringComparison.Ordinal)}", false);
        }
    }


    public async Task<bool> RemoveAsync(TenantId tenant, string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(tenant, id, cancellationToken) is null)
            return false;
        var stream = StreamOf(tenant, id);
        var version = (await store.ReadStreamAsync(stream, cancellationToken: cancellationToken)).Count;
        var result = await store.AppendAsync(stream, version, [registry.ToEventData(new CredentialRemoved(Guid.NewGuid(), id, time.GetUtcNow()))], cancellationToken);
        return result.Succeeded;
    }

    private async Task<List<(CredentialView View, string Protected)>> ReadAsync(TenantId tenant, string? id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns}, label FROM credentials WHERE tenant_id = @tenant"
            + (id is null ? "" : " AND credential_id = @id") + " ORDER BY created_at").With("tenant", tenant.Value);
        if (id is not null)
            command.With("id", id);
        var rows = new List<(CredentialView, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var scope = JsonSerializer.Deserialize<CredentialScope>(reader.GetString(2), EventTypeRegistry.JsonOptions)!;
            rows.Add((new CredentialView(reader.GetString(0), reader.GetString(1), reader.GetString(9), scope, reader.GetString(3), reader.GetString(4),
                reader.GetNullableString(5), UnixTime.FromMicroseconds(reader.GetNullableInt64(6)), UnixTime.FromMicroseconds(reader.GetInt64(7))),
                reader.GetString(8)));
        }
        return rows;
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

internal sealed class NotVerifiableException(string message) : Exception(message);
