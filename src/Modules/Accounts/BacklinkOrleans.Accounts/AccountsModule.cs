using BacklinkOrleans.Accounts.Authentication;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Accounts.Tenants;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Accounts;

public static class AccountsModule
{
    /// <summary>Tenants, API keys, the X-Api-Key authentication scheme and the tenant/operator policies.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddMigrations(typeof(AccountsModule).Assembly);
        services.AddEventType<TenantCreated>(AccountsEventAliases.TenantCreated);
        services.AddEventType<ApiKeyIssued>(AccountsEventAliases.ApiKeyIssued);
        services.AddEventType<ApiKeyRevoked>(AccountsEventAliases.ApiKeyRevoked);
        services.AddSingleton<IInlineProjection, AccountsProjection>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ITenantAdministration>(sp => sp.GetRequiredService<TenantDirectory>());
        services.AddSingleton<IValidator<CreateTenantRequest>, CreateTenantValidator>();

        services.AddAuthentication(TenantClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(TenantClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TenantClaims.TenantPolicy, p => p.RequireClaim(TenantClaims.TenantClaim))
            .AddPolicy(TenantClaims.OperatorPolicy, p => p.RequireClaim(TenantClaims.OperatorClaim));
        return services;
    }

    public static IEndpointRouteBuilder MapAccountsEndpoints(this IEndpointRouteBuilder app) => app.MapTenantsApi();
}
