using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Accounts.Contracts;

/// <summary>Tenant administration for the Host (first-run bootstrap) and operators.</summary>
public interface ITenantAdministration
{
    Task<bool> AnyTenantAsync(CancellationToken cancellationToken);

    /// <summary>Creates a tenant with a first API key (shown once); null when the id is taken.</summary>
    Task<CreatedTenant?> CreateAsync(TenantId tenant, string name, CancellationToken cancellationToken);

    /// <summary>Issues an operator key (shown once).</summary>
    Task<string> IssueOperatorKeyAsync(string label, CancellationToken cancellationToken);
}
