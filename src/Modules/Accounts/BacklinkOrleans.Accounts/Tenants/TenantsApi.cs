using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Accounts.Tenants;

/// <summary>Tenant administration, for the operator key only.</summary>
internal static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/v1/tenants").WithTags("Tenants").RequireAuthorization(TenantClaims.OperatorPolicy);
        tenants.MapPost("/", CreateAsync).WithName("CreateTenant").WithSummary("Create a tenant and its first API key (shown once).");
        tenants.MapGet("/", ListAsync).WithName("ListTenants").WithSummary("List tenants and their keys (never the secrets).");
        tenants.MapPost("/{id}/api-keys", IssueKeyAsync).WithName("IssueApiKey").WithSummary("Issue another API key to a tenant (shown once).");
        tenants.MapDelete("/{id}/api-keys/{keyId}", RevokeKeyAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key.");
        return app;
    }

    private static async Task<Results<Created<CreatedTenant>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, IValidator<CreateTenantRequest> validator, TenantDirectory tenants, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var created = await tenants.CreateAsync(TenantId.From(request.Id!), request.Name!, cancellationToken);
        return created is null
            ? TypedResults.Problem($"A tenant with id '{request.Id}' exists already.", statusCode: StatusCodes.Status409Conflict, title: "Tenant exists")
            : TypedResults.Created($"/api/v1/tenants/{request.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<TenantView>>> ListAsync(TenantDirectory tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tenants.ListAsync(cancellationToken));

    private static async Task<Results<Created<IssuedApiKey>, NotFound<ProblemDetails>>> IssueKeyAsync(
        string id, IssueKeyRequest? request, TenantDirectory tenants, CancellationToken cancellationToken)
    {
        var issued = TenantId.TryFrom(id, out var tenant, out _)
            ? await tenants.IssueKeyAsync(tenant, string.IsNullOrWhiteSpace(request?.Label) ? "api key" : request.Label.Trim(), cancellationToken)
            : null;
        return issued is null
            ? TypedResults.NotFound(new ProblemDetails { Title = "Not found", Detail = $"No tenant '{id}'.", Status = 404 })
            : TypedResults.Created($"/api/v1/tenants/{id}/api-keys/{issued.KeyId}", issued);
    }

    private static async Task<Results<NoContent, NotFound<ProblemDetails>>> RevokeKeyAsync(
        string id, string keyId, TenantDirectory tenants, CancellationToken cancellationToken) =>
        TenantId.TryFrom(id, out var tenant, out _) && await tenants.RevokeKeyAsync(tenant, keyId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new ProblemDetails { Title = "Not found", Detail = $"Tenant '{id}' has no active key '{keyId}'.", Status = 404 });
}
