using System.Security.Claims;
using System.Text.Encodings.Web;
using BacklinkOrleans.Accounts.Tenants;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Accounts.Authentication;

/// <summary>
/// Authenticates <c>X-Api-Key</c>: a tenant key yields the tenant claim, an operator key the operator claim.
/// Failures answer 401 with a problem document naming the header.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory tenants,
    Microsoft.Extensions.Configuration.IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(TenantClaims.HeaderName, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
            return AuthenticateResult.NoResult();
        var presented = values.ToString().Trim();
        var holder = IsConfiguredOperatorKey(presented)
            ? new KeyHolder(null, "configured-operator-key")
            : await tenants.AuthenticateAsync(presented, Context.RequestAborted);
        if (holder is null)
            return AuthenticateResult.Fail("The API key is not valid.");

        var claims = new List<Claim> { new("backlink:key", holder.KeyId) };
        claims.Add(holder.Tenant is { } tenant ? new Claim(TenantClaims.TenantClaim, tenant.Value) : new Claim(TenantClaims.OperatorClaim, "true"));
        var identity = new ClaimsIdentity(claims, TenantClaims.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), TenantClaims.Scheme));
    }

    /// <summary>Accounts:OperatorKey, when set (environment or secret store), is an operator key; compared in constant time.</summary>
    private bool IsConfiguredOperatorKey(string presented) =>
        configuration["Accounts:OperatorKey"] is { Length: >= 16 } configured
        && ApiKeySecret.Matches(presented, ApiKeySecret.Sha256(configured));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = TenantClaims.Scheme;
        var presented = Request.Headers.ContainsKey(TenantClaims.HeaderName);
        await Results.Problem(
            title: "Unauthorized",
            detail: presented ? $"The {TenantClaims.HeaderName} header does not hold a valid API key." : $"Send an API key in the {TenantClaims.HeaderName} header.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await Results.Problem(
            title: "Forbidden",
            detail: "This API key may not use this route (tenant routes need a tenant key; tenant administration needs the operator key).",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }
}
