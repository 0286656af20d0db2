using System.Text.RegularExpressions;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>The credential a key grain sends with; the key itself stays in memory only.</summary>
internal sealed record SendingKey(CredentialView Credential, string Key, string? KeyLocation)
{
    public override string ToString() => $"IndexNow key {Credential.Fingerprint}"; // never the key
}

/// <summary>A tenant's key for a host: none (the tenant has no key), unreadable (it cannot be decrypted now), or the key.</summary>
internal sealed record KeyLookup(SendingKey? Key, string? Unreadable, DateTimeOffset LoadedAt);

/// <summary>Finds a tenant's IndexNow key for a host (the oldest usable one) and decrypts it.</summary>
internal sealed partial class KeySource(ICredentialDirectory credentials, ILogger<KeySource> logger)
{
    public async Task<KeyLookup> LoadAsync(string tenant, string host, DateTimeOffset now)
    {
        var id = TenantId.From(tenant);
        var credential = (await credentials.ListAsync(id, CancellationToken.None))
            .Where(c => c.Kind == CredentialKinds.IndexNow && c.Scope.Host == host && c.Status != CredentialStatuses.Failed)
            .OrderBy(c => c.CreatedAt)
            .FirstOrDefault();
        if (credential is null)
            return new KeyLookup(null, null, now);
        var key = await credentials.RevealAsync(id, credential.Id, CancellationToken.None);
        if (key is null || !KeyFormat().IsMatch(key))
        {
            // Adding a malformed key is refused, so this is a key ring that cannot decrypt it (a wrong master key).
            LogUnreadableKey(logger, tenant, host, credential.Fingerprint);
            return new KeyLookup(null, $"The IndexNow key {credential.Fingerprint} could not be read (is the master key the one it was stored with?).", now);
        }
        return new KeyLookup(new SendingKey(credential, key, IndexNowKeyScope.KeyLocation(credential.Scope, key)), null, now);
    }

    [GeneratedRegex("^[a-zA-Z0-9-]{8,128}$")]
    private static partial Regex KeyFormat();

    [LoggerMessage(Level = LogLevel.Error, Message = "IndexNow {Tenant}/{Host}: the stored key {Fingerprint} cannot be read; its URLs wait")]
    private static partial void LogUnreadableKey(ILogger logger, string tenant, string host, string fingerprint);
}
