using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Channels;

/// <summary>A credential ready to send with; the secret stays in memory only.</summary>
internal sealed record SendingCredential(CredentialView Credential, string Secret)
{
    public override string ToString() => $"{Credential.Kind} credential {Credential.Fingerprint}"; // never the secret
}

/// <summary>A tenant's credential by id: gone (removed), unreadable (it cannot be decrypted now), or ready.</summary>
internal sealed record CredentialLookup(SendingCredential? Credential, string? Unreadable, DateTimeOffset LoadedAt)
{
    public bool Missing => Credential is null && Unreadable is null;
}

/// <summary>Finds a tenant's credential and decrypts it, for the quota grain that sends with it.</summary>
internal sealed partial class CredentialSource(ICredentialDirectory credentials, ILogger<CredentialSource> logger)
{
    /// <summary>The next load reads the tenant's credentials from the database, not this silo's cached copy.</summary>
    public void Invalidate(string tenant) => credentials.Invalidate(TenantId.From(tenant));

    public async Task<CredentialLookup> LoadAsync(string tenant, string credentialId, DateTimeOffset now)
    {
        var id = TenantId.From(tenant);
        var credential = (await credentials.ListAsync(id, CancellationToken.None)).FirstOrDefault(c => c.Id == credentialId);
        if (credential is null)
            return new CredentialLookup(null, null, now);
        string? secret;
        try
        {
            secret = await credentials.RevealAsync(id, credential.Id, CancellationToken.None);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            // Adding a credential encrypts it with this tenant's key, so this is a key ring that cannot decrypt it (a wrong master key).
            LogUnreadable(logger, e, tenant, credential.Fingerprint);
            return new CredentialLookup(null, $"The credential {credential.Fingerprint} could not be read (is the master key the one it was stored with?).", now);
        }
        return secret is null ? new CredentialLookup(null, null, now) : new CredentialLookup(new SendingCredential(credential, secret), null, now);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {Tenant}: the stored credential {Fingerprint} cannot be read; its URLs wait")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string tenant, string fingerprint);
}
