using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.DataProtection;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>
/// Encrypts and decrypts tenants' third-party secrets with one Data Protection purpose per tenant, so a ciphertext
/// of one tenant cannot be opened under another's purpose.
/// </summary>
internal sealed class CredentialVault(IDataProtectionProvider provider)
{
    private const string Purpose = "BacklinkOrleans.Accounts.Credentials";

    private IDataProtector For(TenantId tenant) => provider.CreateProtector(Purpose, $"tenant:{tenant.Value}");

    public string Protect(TenantId tenant, string secret) => For(tenant).Protect(secret);

    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> for another tenant's ciphertext.</summary>
    public string Unprotect(TenantId tenant, string protectedSecret) => For(tenant).Unprotect(protectedSecret);
}
