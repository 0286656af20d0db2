using System.Security.Claims;
using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>A tenant's webhook endpoints, their delivery logs and manual redelivery.</summary>
internal static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(TenantClaims.TenantPolicy);
        hooks.MapGet("/event-types", () => TypedResults.Ok(IntegrationEventTypes.Names))
            .WithName("WebhookEventTypes").WithSummary("The published event types an endpoint can subscribe to.");
        hooks.MapPost("/", async Task<IResult> (CreateWebhookRequest request, IValidator<CreateWebhookRequest> validator, ClaimsPrincipal user,
                WebhookStore store, CancellationToken ct) =>
            {
                var validation = await validator.ValidateAsync(request, ct);
                if (!validation.IsValid)
                    return TypedResults.ValidationProblem(validation.ToDictionary());
                var types = request.EventTypes is { Count: > 0 } list ? list.Select(t => t.Trim()).Distinct().Order(StringComparer.Ordinal).ToList() : [];
                var created = await store.CreateAsync(user.Tenant().Value, request.Url!.Trim(), types, request.Description?.Trim(), ct);
                return TypedResults.Created($"/api/v1/webhooks/{created.Endpoint.Id}", created);
            })
            .WithName("CreateWebhook").WithSummary("Register an endpoint (URL, event types; none: all). The signing secret is shown once.");
        hooks.MapGet("/", async (ClaimsPrincipal user, WebhookStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(user.Tenant().Value, ct)))
            .WithName("ListWebhooks").WithSummary("The tenant's endpoints (never their secrets).");
        hooks.MapDelete("/{id}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string id, ClaimsPrincipal user, WebhookStore store, CancellationToken ct) =>
                await store.DisableAsync(user.Tenant().Value, id, ct) ? TypedResults.NoContent() : NotFound($"No active webhook '{id}'."))
            .WithName("DeleteWebhook").WithSummary("Stop sending to an endpoint (its pending deliveries fail; its log stays).");
        hooks.MapGet("/{id}/deliveries", async Task<Results<Ok<IReadOnlyList<WebhookDeliveryView>>, NotFound<ProblemDetails>>> (string id, int? limit,
                ClaimsPrincipal user, WebhookStore store, CancellationToken ct) =>
                await store.DeliveriesAsync(user.Tenant().Value, id, Math.Clamp(limit ?? 100, 1, 1000), ct) is { } list ? TypedResults.Ok(list) : NotFound($"No webhook '{id}'."))
            .WithName("WebhookDeliveries").WithSummary("The endpoint's delivery log, newest first: state, attempts, last status and error, next attempt.");
        hooks.MapPost("/{id}/deliveries/{deliveryId}/redeliver", async Task<Results<Accepted, NotFound<ProblemDetails>>> (string id, string deliveryId,
                ClaimsPrincipal user, WebhookStore store, IOptions<WebhookOptions> options, CancellationToken ct) =>
                await store.RedeliverAsync(user.Tenant().Value, id, deliveryId, options.Value.GiveUpAfter, ct)
                    ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries")
                    : NotFound($"No delivery '{deliveryId}' of active webhook '{id}'."))
            .WithName("RedeliverWebhook").WithSummary("Send a delivery again now (delivered or failed ones too), with a new day of retries.");
        return app;
    }

    private static NotFound<ProblemDetails> NotFound(string detail) =>
        TypedResults.NotFound(new ProblemDetails { Title = "Not found", Detail = detail, Status = StatusCodes.Status404NotFound });
}

internal sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookValidator(IOptions<OutboundOptions> outbound)
    {
        RuleFor(r => r.Url).NotEmpty().WithMessage("url is required.")
            .Must(url => url is null || (url.Trim().Length <= 2048 && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                && string.IsNullOrEmpty(uri.UserInfo)))
            .WithMessage("url must be an absolute http(s) URL of at most 2,048 characters, without user name or password.")
            .Must(url => url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || outbound.Value.EffectivePorts.Contains(uri.Port))
            .WithMessage(_ => $"url's port is not one outbound requests may use ({string.Join(", ", outbound.Value.EffectivePorts)}; setting Outbound:AllowedPorts).");
        RuleForEach(r => r.EventTypes).Must(t => IntegrationEventTypes.Names.Contains(t?.Trim()))
            .WithMessage((_, t) => $"'{t}' is not a published event type ({string.Join(", ", IntegrationEventTypes.Names)}).");
        RuleFor(r => r.Description).MaximumLength(200).WithMessage("description must be at most 200 characters.");
    }
}
