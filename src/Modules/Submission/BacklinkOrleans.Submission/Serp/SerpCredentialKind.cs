using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BacklinkOrleans.Accounts.Contracts;

namespace BacklinkOrleans.Submission.Serp;

/// <summary>
/// A SERP API key (<c>apiKey</c>): it covers any URL, for index checks only. Not verified when added — asking costs a
/// query; a key the API refuses is marked invalid on its first use, and its quota shows why.
/// </summary>
internal sealed partial class SerpCredentialKind : ICredentialKind
{
    public string Kind => CredentialKinds.Serp;

    public string Describe => "A SERP API key for index checks of any URL: apiKey (16-128 characters of a-z, A-Z, 0-9, '_' and '-').";

    public CredentialDraft Read(JsonElement request)
    {
        var key = request.TryGetProperty("apiKey", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (key is null || !KeyFormat().IsMatch(key))
            return CredentialDraft.Invalid(("apiKey", "'apiKey' is the SERP API's key: 16-128 characters of a-z, A-Z, 0-9, '_' and '-'."));
        return CredentialDraft.Of(key, new CredentialScope(), $"serp:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8]}");
    }

    public string? UniqueKeyOf(CredentialScope scope) => null;

    public Task<CredentialCheck?> VerifyAsync(CredentialView credential, string secret, CancellationToken cancellationToken) =>
        Task.FromResult<CredentialCheck?>(null);

    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$")]
    private static partial Regex KeyFormat();
}
