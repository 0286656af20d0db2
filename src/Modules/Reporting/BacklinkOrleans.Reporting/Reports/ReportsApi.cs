using System.Security.Claims;
using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>Reports per campaign and per client, as JSON, CSV or printable HTML; the tenant's white-label branding.</summary>
internal static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(TenantClaims.TenantPolicy);
        reports.MapGet("/campaigns/{id}", (string id, string? format, ClaimsPrincipal user, ReportQueries queries, BrandingStore branding, CancellationToken ct) =>
                RespondAsync(queries.CampaignAsync(user.Tenant().Value, id, ct), format, user, branding, $"No campaign '{id}' in the reports (yet).", ct))
            .WithName("CampaignReport")
            .WithSummary("A campaign's report: funnel, success rate, time to index (p50/p90), drop-off reasons with examples, channels, checks, cost. ?format=json|csv|html.");
        reports.MapGet("/clients/{client}", (string client, string? format, ClaimsPrincipal user, ReportQueries queries, BrandingStore branding, CancellationToken ct) =>
                RespondAsync(queries.ClientAsync(user.Tenant().Value, client, ct), format, user, branding, $"No campaign for client '{client}' in the reports (yet).", ct))
            .WithName("ClientReport").WithSummary("The report over every campaign of a client. ?format=json|csv|html.");
        reports.MapGet("/branding", async (ClaimsPrincipal user, BrandingStore branding, CancellationToken ct) =>
                TypedResults.Ok(await BrandingOfAsync(user, branding, ct)))
            .WithName("GetReportBranding").WithSummary("The agency name, logo and colour printed on HTML reports.");
        reports.MapPut("/branding", async Task<IResult> (SetBrandingRequest request, IValidator<SetBrandingRequest> validator, ClaimsPrincipal user,
                BrandingStore branding, CancellationToken ct) =>
            {
                var validation = await validator.ValidateAsync(request, ct);
                if (!validation.IsValid)
                    return TypedResults.ValidationProblem(validation.ToDictionary());
                var set = new ReportBranding(request.AgencyName!.Trim(), string.IsNullOrWhiteSpace(request.LogoUrl) ? null : request.LogoUrl.Trim(),
                    string.IsNullOrWhiteSpace(request.AccentColor) ? null : request.AccentColor.Trim());
                await branding.SetAsync(user.Tenant().Value, set, ct);
                return TypedResults.Ok(set);
            })
            .WithName("SetReportBranding").WithSummary("Set the agency name, logo URL and accent colour of HTML reports (white label).");
        return app;
    }

    private static async Task<IResult> RespondAsync(Task<CampaignReport?> reading, string? format, ClaimsPrincipal user, BrandingStore branding,
        string notFound, CancellationToken ct)
    {
        var kind = (format ?? "json").Trim().ToLowerInvariant();
        if (kind is not ("json" or "csv" or "html"))
            return TypedResults.Problem($"format must be json, csv or html, not '{format}'.", statusCode: StatusCodes.Status400BadRequest, title: "Unknown format");
        var report = await reading;
        if (report is null)
            return TypedResults.NotFound(new ProblemDetails { Title = "Not found", Detail = notFound, Status = 404 });
        var file = $"report-{report.Scope.Kind}-{Safe(report.Scope.Id)}-{report.GeneratedAt:yyyyMMdd}";
        return kind switch
        {
            "csv" => TypedResults.File(System.Text.Encoding.UTF8.GetBytes(ReportFormats.Csv(report)), "text/csv; charset=utf-8", file + ".csv"),
            "html" => TypedResults.Content(ReportFormats.Html(report, await BrandingOfAsync(user, branding, ct)), "text/html; charset=utf-8"),
            _ => TypedResults.Ok(report),
        };
    }

    private static async Task<ReportBranding> BrandingOfAsync(ClaimsPrincipal user, BrandingStore branding, CancellationToken ct) =>
        await branding.GetAsync(user.Tenant().Value, ct) ?? new ReportBranding(user.Tenant().Value, null, null);

    private static string Safe(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
}

internal sealed class SetBrandingValidator : AbstractValidator<SetBrandingRequest>
{
    public SetBrandingValidator()
    {
        RuleFor(r => r.AgencyName).NotEmpty().WithMessage("agencyName is required: the name printed on reports.")
            .MaximumLength(100).WithMessage("agencyName must be at most 100 characters.");
        RuleFor(r => r.LogoUrl).Must(url => string.IsNullOrWhiteSpace(url)
                || (url.Length <= 2048 && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
            .WithMessage("logoUrl must be an absolute http(s) URL of at most 2,048 characters.");
        RuleFor(r => r.AccentColor).Matches("^#[0-9a-fA-F]{6}$").When(r => !string.IsNullOrWhiteSpace(r.AccentColor))
            .WithMessage("accentColor must be a colour like #1f4e79.");
    }
}
