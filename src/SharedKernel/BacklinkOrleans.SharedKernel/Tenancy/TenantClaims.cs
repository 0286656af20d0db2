using System.Security.Claims;

namespace BacklinkOrleans.SharedKernel.Tenancy;

/// <summary>The claims the API-key authentication puts on a request, and the policies that check them.</summary>
public static class TenantClaims
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string TenantClaim = "backlink:tenant";
    public const string OperatorClaim = "backlink:operator";

    /// <summary>Policy of every tenant route: the key belongs to a tenant.</summary>
    public const string TenantPolicy = "tenant";

    /// <summary>Policy of tenant administration: the operator key.</summary>
    public const string OperatorPolicy = "operator";

    /// <summary>The tenant of an authenticated request (the tenant policy guarantees there is one).</summary>
    public static TenantId Tenant(this ClaimsPrincipal user) =>
        TenantId.From(user.FindFirst(TenantClaim)?.Value ?? throw new InvalidOperationException("The request has no tenant."));
}
