using BacklinkOrleans.Accounts.Authentication;
using BacklinkOrleans.Accounts.Credentials;
using BacklinkOrleans.Accounts.Protection;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
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
    /// <summary>
    /// Tenants, API keys, the X-Api-Key authentication scheme and the tenant/operator policies, and tenants'
    /// encrypted credentials. <paramref name="defaultMasterKeyFile"/>: where the master key is kept when
    /// configuration names none (the embedded profile's data folder; null on a cluster, where it must be configured).
    /// </summary>
    /// <summary>
    /// Rotates the master key with every Host stopped (ADR 0023): the credential key ring encrypted again under the new
    /// key and the log's chains rehashed under its chain key by <paramref name="rekey"/>, in one transaction.
    /// </summary>
    public static Task<MasterKeyRotated> RotateMasterKeyAsync(this IServiceProvider services, string newKeyBase64, string newKeySource,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, BacklinkOrleans.SharedKernel.EventStore.EventChainKey, BacklinkOrleans.SharedKernel.EventStore.EventChainKey,
            CancellationToken, Task<long>> rekey, CancellationToken cancellationToken) =>
        MasterKeyRotation.RotateAsync(services, newKeyBase64, newKeySource, rekey, cancellationToken);

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, string? defaultMasterKeyFile)
    {
        services.AddMigrations(typeof(AccountsModule).Assembly);
        services.AddEventType<TenantCreated>(AccountsEventAliases.TenantCreated);
        services.AddEventType<ApiKeyIssued>(AccountsEventAliases.ApiKeyIssued);
        services.AddEventType<ApiKeyRevoked>(AccountsEventAliases.ApiKeyRevoked);
        services.AddSingleton<IInlineProjection, AccountsProjection>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ITenantAdministration>(sp => sp.GetRequiredService<TenantDirectory>());
        services.AddSingleton<IValidator<CreateTenantRequest>, CreateTenantValidator>();
        services.AddEventType<CredentialAdded>(CredentialEventAliases.Added);
        services.AddEventType<CredentialVerified>(CredentialEventAliases.Verified);
        services.AddEventType<CredentialRemoved>(CredentialEventAliases.Removed);
        services.AddEventType<CredentialPropertyRefused>(CredentialEventAliases.PropertyRefused);
        services.AddEventType<ChannelEnabled>(CredentialEventAliases.ChannelEnabled);
        services.AddEventType<ChannelDisabled>(CredentialEventAliases.ChannelDisabled);
        services.AddSingleton<CredentialVault>();
        services.AddSingleton<CredentialDirectory>();
        services.AddSingleton<ICredentialDirectory>(sp => sp.GetRequiredService<CredentialDirectory>());
        services.AddOutboundHttp();

        // The key ring lives in the shared database, each key encrypted with a master key kept outside it.
        services.AddSingleton(_ => MasterKey.Load(configuration, defaultMasterKeyFile));
        services.AddSingleton<SharedKernel.EventStore.IEventChainKeySource, MasterKeyChainKey>();
        services.AddHostedService<MasterKeyCheck>();
        services.AddDataProtection().SetApplicationName("BacklinkOrleans");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IReadModelDatabase>(), sp.GetRequiredService<TimeProvider>());
            options.XmlEncryptor = new MasterKeyXmlEncryptor(sp.GetRequiredService<MasterKey>());
        }));

        services.AddAuthentication(TenantClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(TenantClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TenantClaims.TenantPolicy, p => p.RequireClaim(TenantClaims.TenantClaim))
            .AddPolicy(TenantClaims.OperatorPolicy, p => p.RequireClaim(TenantClaims.OperatorClaim));
        return services;
    }

    public static IEndpointRouteBuilder MapAccountsEndpoints(this IEndpointRouteBuilder app) => app.MapTenantsApi().MapCredentialsApi();
}
