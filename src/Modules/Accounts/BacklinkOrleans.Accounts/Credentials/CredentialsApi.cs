using System.Security.Claims;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Accounts.Credentials;

/// <summary>The tenant's third-party credentials: add, list (redacted), verify, remove.</summary>
internal static class CredentialsApi
{
    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var credentials = app.MapGroup("/api/v1/credentials").WithTags("Credentials").RequireAuthorization(TenantClaims.TenantPolicy);
        credentials.MapPost("/", AddAsync).WithName("AddCredential")
            .WithSummary("Add a credential: {\"kind\": …, \"label\": …, and the kind's fields} — an IndexNow key (host, key, keyLocation, endpoint), "
                + "a Google service account (serviceAccountJson, properties), a vendor or SERP API key (apiKey). Stored encrypted.");
        credentials.MapGet("/", ListAsync).WithName("ListCredentials").WithSummary("The tenant's credentials: scope and fingerprint, never the secret.");
        credentials.MapPost("/{id}/verify", VerifyAsync).WithName("VerifyCredential")
            .WithSummary("Check the credential with its service: IndexNow fetches the key file, Google gets a token, a vendor reads the account.");
        credentials.MapDelete("/{id}", RemoveAsync).WithName("RemoveCredential").WithSummary("Remove a credential.");
        return app;
    }

    private static async Task<Results<Created<CredentialView>, ValidationProblem, Conflict<ProblemDetails>>> AddAsync(
        System.Text.Json.JsonElement request, ClaimsPrincipal user, CredentialDirectory credentials, CancellationToken cancellationToken)
    {
        var outcome = await credentials.AddAsync(user.Tenant(), request, cancellationToken);
        if (outcome.Errors is { } errors)
            return TypedResults.ValidationProblem(errors);
        return outcome.Credential is { } view
            ? TypedResults.Created($"/api/v1/credentials/{view.Id}", view)
            : TypedResults.Conflict(new ProblemDetails { Title = "Credential exists", Detail = outcome.Conflict, Status = StatusCodes.Status409Conflict });
    }

    private static async Task<Ok<IReadOnlyList<CredentialView>>> ListAsync(ClaimsPrincipal user, CredentialDirectory credentials, CancellationToken cancellationToken) =>
        TypedResults.Ok(await credentials.ListAsync(user.Tenant(), cancellationToken));

    private static async Task<Results<Ok<CredentialView>, NotFound<ProblemDetails>, UnprocessableEntity<ProblemDetails>>> VerifyAsync(
        string id, ClaimsPrincipal user, CredentialDirectory credentials, CancellationToken cancellationToken)
    {
        try
        {
            return await credentials.VerifyAsync(user.Tenant(), id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound(id);
        }
        catch (NotVerifiableException e)
        {
            return TypedResults.UnprocessableEntity(new ProblemDetails { Title = "Not verifiable yet", Detail = e.Message, Status = StatusCodes.Status422UnprocessableEntity });
        }
    }

    private static async Task<Results<NoContent, NotFound<ProblemDetails>>> RemoveAsync(
        string id, ClaimsPrincipal user, CredentialDirectory credentials, CancellationToken cancellationToken) =>
        await credentials.RemoveAsync(user.Tenant(), id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static NotFound<ProblemDetails> NotFound(string id) =>
        TypedResults.NotFound(new ProblemDetails { Title = "Not found", Detail = $"No credential '{id}' in this tenant.", Status = StatusCodes.Status404NotFound });
}
