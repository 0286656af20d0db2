using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using Google.Apis.Auth.OAuth2.Responses;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// A Google service account: <c>serviceAccountJson</c> (the JSON key Google Cloud gives you, as a string or an object;
/// encrypted like every secret, its <c>project_id</c> kept in the scope because the quota is the project's) and
/// <c>properties</c> (the Search Console properties the account is an Owner of). One credential per service account
/// per tenant. Verified by asking Google's token endpoint for a token.
/// </summary>
internal sealed class GoogleCredentialKind(GoogleAccounts accounts) : ICredentialKind
{
    public string Kind => CredentialKinds.Google;

    public string Describe => "A Google service account: serviceAccountJson (its JSON key) and properties (Search Console properties it owns: "
        + "'sc-domain:example.com' or 'https://www.example.com/').";

    public CredentialDraft Read(JsonElement request)
    {
        var errors = new List<(string, string)>();
        var json = request.TryGetProperty("serviceAccountJson", out var raw)
            ? raw.ValueKind switch
            {
                JsonValueKind.String => raw.GetString(),
                JsonValueKind.Object => raw.GetRawText(),
                _ => null,
            }
            : null;
        string? email = null, project = null, keyId = null;
        if (string.IsNullOrWhiteSpace(json))
            errors.Add(("serviceAccountJson", "'serviceAccountJson' is the service account's JSON key (a string or an object)."));
        else if (Problem(json, out email, out project, out keyId) is { } problem)
            errors.Add(("serviceAccountJson", problem));

        var properties = new List<string>();
        if (!request.TryGetProperty("properties", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            errors.Add(("properties", "'properties' lists the Search Console properties the account is an Owner of, e.g. [\"sc-domain:example.com\"]."));
        else
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && GoogleProperties.TryNormalize(item.GetString(), out var property, out _))
                    properties.Add(property);
                else
                {
                    GoogleProperties.TryNormalize(item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText(), out _, out var error);
                    errors.Add(($"properties[{i}]", error));
                }
                i++;
            }
        }
        if (errors.Count > 0)
            return CredentialDraft.Invalid([.. errors]);
        return CredentialDraft.Of(json!, new CredentialScope(ClientEmail: email, Properties: [.. properties.Distinct(StringComparer.Ordinal)], ProjectId: project),
            $"sa:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyId ?? email!)))[..8]}");
    }

    /// <summary>What is wrong with a service account key (null: nothing), and its email, project and key id.</summary>
    private static string? Problem(string json, out string? email, out string? project, out string? keyId)
    {
        (email, project, keyId) = (null, null, null);
        try
        {
            var key = GoogleAccounts.Parse(json);
            (email, project, keyId) = (key.ClientEmail, key.ProjectId, key.PrivateKeyId);
            if (key.Type != "service_account")
                return $"the key's \"type\" is '{key.Type}', not 'service_account': create a key for a service account in Google Cloud (IAM → Service accounts → Keys).";
            if (string.IsNullOrEmpty(email) || !email.Contains('@'))
                return "the key has no \"client_email\".";
            if (string.IsNullOrEmpty(project))
                return "the key has no \"project_id\" (the quota is the Cloud project's).";
            if (string.IsNullOrEmpty(key.PrivateKey))
                return "the key has no \"private_key\".";
            using var rsa = RSA.Create();
            rsa.ImportFromPem(key.PrivateKey);
            return null;
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or FormatException or ArgumentException or CryptographicException)
        {
            return $"the key is not a service account's JSON key ({e.GetType().Name}: {e.Message.Split('\n')[0]}).";
        }
    }

    public string? UniqueKeyOf(CredentialScope scope) => scope.ClientEmail;

    /// <summary>Asks Google's token endpoint for an access token with the indexing scope.</summary>
    public async Task<CredentialCheck?> VerifyAsync(CredentialView credential, string secret, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await accounts.CredentialFor(secret, GoogleOptions.IndexingScope).GetAccessTokenForRequestAsync(cancellationToken: timeout.Token);
            return new CredentialCheck(true, $"Google issued a token to {credential.Scope.ClientEmail} (project {credential.Scope.ProjectId}). "
                + "Google answers for ownership only when URLs are published: each property must list the account as an Owner in Search Console.");
        }
        catch (TokenResponseException e) when (e.Error?.Error is "invalid_grant" or "invalid_client" or "unauthorized_client")
        {
            return new CredentialCheck(false, $"Google refused the service account: {e.Error.Error}{(e.Error.ErrorDescription is { } d ? $" ({d})" : "")}");
        }
        catch (Exception e) when (e is TokenResponseException or HttpRequestException or OperationCanceledException)
        {
            return new CredentialCheck(false, $"Google's token endpoint could not be asked now: {e.Message}", Definite: false);
        }
    }
}
