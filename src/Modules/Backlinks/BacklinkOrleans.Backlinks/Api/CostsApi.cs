using System.Security.Claims;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Backlinks.Api;

/// <summary>What the tenant's paid channels cost, per client and per campaign (accepted paid submissions and paid checks).</summary>
internal static class CostsApi
{
    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder app)
    {
        var costs = app.MapGroup("/api/v1/costs").WithTags("Costs").RequireAuthorization(TenantClaims.TenantPolicy);
        costs.MapGet("/clients", async Task<Ok<IReadOnlyList<ClientCost>>> (ClaimsPrincipal user, CostQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.ClientsAsync(user.Tenant().Value, ct)))
            .WithName("ClientCosts").WithSummary("What each client's campaigns cost: the total, paid submissions and checks, and each campaign's part.");
        costs.MapGet("/campaigns", async Task<Ok<IReadOnlyList<CampaignCost>>> (ClaimsPrincipal user, CostQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.CampaignsAsync(user.Tenant().Value, null, ct)))
            .WithName("CampaignCosts").WithSummary("What each campaign cost, by channel and kind (submission, check).");
        return app;
    }
}
