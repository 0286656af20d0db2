using System.Security.Claims;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Backlinks.Api;

/// <summary>Campaigns of the caller's tenant: create, list, progress counters, controls, backlink list, import.</summary>
internal static class CampaignsApi
{
    public const long MaxImportBytes = 512L * 1024 * 1024;

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/v1/campaigns").WithTags("Campaigns").RequireAuthorization(TenantClaims.TenantPolicy);
        campaigns.MapPost("/", CreateAsync).WithName("CreateCampaign").WithSummary("Create a campaign (defaults fill unset settings).");
        campaigns.MapGet("/", ListAsync).WithName("ListCampaigns").WithSummary("The tenant's campaigns with their counters.");
        campaigns.MapGet("/{id}", GetAsync).WithName("GetCampaign").WithSummary("One campaign with live counters per state and reason.");
        campaigns.MapPost("/{id}/pause", (string id, ClaimsPrincipal user, IGrainFactory grains, BacklinkQueries queries, CancellationToken ct) =>
            ControlAsync(id, user, grains, queries, g => g.PauseAsync(), ct)).WithName("PauseCampaign").WithSummary("Stop further steps of its backlinks.");
        campaigns.MapPost("/{id}/resume", (string id, ClaimsPrincipal user, IGrainFactory grains, BacklinkQueries queries, CancellationToken ct) =>
            ControlAsync(id, user, grains, queries, g => g.ResumeAsync(), ct)).WithName("ResumeCampaign").WithSummary("Let its backlinks continue.");
        campaigns.MapPost("/{id}/cancel", (string id, ClaimsPrincipal user, IGrainFactory grains, BacklinkQueries queries, CancellationToken ct) =>
            ControlAsync(id, user, grains, queries, g => g.CancelAsync(), ct)).WithName("CancelCampaign").WithSummary("Stop the campaign for good.");
        campaigns.MapPost("/{id}/drip", SetDripAsync)
            .WithName("SetCampaignDrip").WithSummary("Spread the rest of the campaign's submissions over 1-30 days from now (days: null ends the drip-feed).");
        campaigns.MapGet("/{id}/backlinks", ListBacklinksAsync).WithName("ListCampaignBacklinks")
            .WithSummary("The campaign's backlinks, filtered by state, reason and host, a page at a time.");
        campaigns.MapPost("/{id}/backlinks", ImportAsync).WithName("ImportBacklinks")
            .WithSummary("Import backlinks: a JSON array, text/csv with a header row, or a sitemap XML (also as a multipart 'file').")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithFormOptions(multipartBodyLengthLimit: MaxImportBytes)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Created<CampaignView>, ValidationProblem>> CreateAsync(
        CreateCampaignRequest request, ClaimsPrincipal user, IValidator<CreateCampaignRequest> validator, IGrainFactory grains,
        BacklinkQueries queries, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var tenant = user.Tenant().Value;
        var id = Guid.CreateVersion7().ToString("N");
        await grains.GetGrain<ICampaignGrain>($"{tenant}/{id}").CreateAsync(CampaignSettingsMapping.FromRequest(request));
        var view = await queries.GetCampaignAsync(tenant, id, cancellationToken);
        return TypedResults.Created($"/api/v1/campaigns/{id}", view!);
    }

    private static async Task<Ok<IReadOnlyList<CampaignView>>> ListAsync(ClaimsPrincipal user, BacklinkQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListCampaignsAsync(user.Tenant().Value, cancellationToken));

    /// <summary>One campaign, with its completion estimate (recomputed at each read).</summary>
    private static async Task<Results<Ok<CampaignView>, NotFound<ProblemDetails>>> GetAsync(
        string id, ClaimsPrincipal user, BacklinkQueries queries, Campaigns.CampaignEtaService eta, CancellationToken cancellationToken) =>
        await queries.GetCampaignAsync(user.Tenant().Value, id, cancellationToken) is { } view
            ? TypedResults.Ok(view with { Eta = await eta.EstimateAsync(user.Tenant().Value, id, cancellationToken) })
            : NotFound(id);

    private static async Task<Results<Ok<CampaignView>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> ControlAsync(
        string id, ClaimsPrincipal user, IGrainFactory grains, BacklinkQueries queries, Func<ICampaignGrain, Task<CommandOutcome>> control,
        CancellationToken cancellationToken)
    {
        var tenant = user.Tenant().Value;
        var outcome = await control(grains.GetGrain<ICampaignGrain>($"{tenant}/{id}"));
        if (!outcome.Accepted)
            return outcome.RejectionCode == "not-found" ? NotFound(id) : Problems.Rejected(outcome.RejectionCode, outcome.RejectionMessage);
        return TypedResults.Ok((await queries.GetCampaignAsync(tenant, id, cancellationToken))!);
    }

    private static async Task<Results<Ok<CampaignView>, NotFound<ProblemDetails>, Conflict<ProblemDetails>, ValidationProblem>> SetDripAsync(
        string id, SetDripRequest request, ClaimsPrincipal user, IGrainFactory grains, BacklinkQueries queries, CancellationToken cancellationToken)
    {
        if (request.Days is < 1 or > CampaignSettings.MaxDripDays)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["days"] = [$"'days' spreads the rest of the campaign's submissions over 1 to {CampaignSettings.MaxDripDays} days; null ends the drip-feed."],
            });
        return await ControlAsync(id, user, grains, queries, g => g.SetDripAsync(request.Days), cancellationToken) switch
        {
            { Result: Ok<CampaignView> ok } => ok,
            { Result: NotFound<ProblemDetails> notFound } => notFound,
            { Result: var other } => (Conflict<ProblemDetails>)other,
        };
    }

    private static async Task<Results<Ok<BacklinkPage>, NotFound<ProblemDetails>, ValidationProblem>> ListBacklinksAsync(
        string id, string? state, string? reason, string? host, int? page, int? pageSize, ClaimsPrincipal user, BacklinkQueries queries,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
            errors["page"] = ["page starts at 1."];
        if (pageSize is < 1 or > 500)
            errors["pageSize"] = ["pageSize is from 1 to 500."];
        if (state is not null && state is not ("collected" or "validated" or "submitted" or "indexed" or "failed"))
            errors["state"] = ["state is one of collected, validated, submitted, indexed, failed."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var tenant = user.Tenant().Value;
        if (await queries.GetCampaignAsync(tenant, id, cancellationToken) is null)
            return NotFound(id);
        var filter = new BacklinkFilter(state, reason, host?.ToLowerInvariant(), page ?? 1, pageSize ?? 100);
        return TypedResults.Ok(await queries.ListBacklinksAsync(tenant, id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<ImportResult>, NotFound<ProblemDetails>, Conflict<ProblemDetails>, BadRequest<ProblemDetails>, ProblemHttpResult>> ImportAsync(
        string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, BacklinkImporter importer, CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var campaign = grains.GetGrain<ICampaignGrain>($"{tenant.Value}/{id}");
        switch (await campaign.GetStatusAsync())
        {
            case null:
                return NotFound(id);
            case CampaignStatuses.Cancelled:
                return TypedResults.Conflict(Problems.Of(StatusCodes.Status409Conflict, "Campaign cancelled", "A cancelled campaign takes no new backlinks.", "cancelled"));
        }

        Stream body;
        string mediaType;
        try
        {
            (body, mediaType) = await UploadAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TooLarge(e);
        }
        IImportReader? reader = mediaType switch
        {
            "text/csv" or "application/csv" or "text/plain" => new CsvImportReader(),
            "application/json" => new JsonImportReader(),
            "application/xml" or "text/xml" => new SitemapImportReader(),
            _ => null,
        };
        if (reader is null)
            return TypedResults.Problem($"Send backlinks as application/json, text/csv or a sitemap (application/xml); got '{mediaType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        try
        {
            var result = await importer.ImportAsync(tenant, id, reader, body, cancellationToken);
            if (result.QueuedSitemaps.Count > 0 && await campaign.QueueSitemapsAsync(result.QueuedSitemaps) is { Refused: > 0 } queued)
                result = result with
                {
                    QueuedSitemaps = result.QueuedSitemaps.Take(result.QueuedSitemaps.Count - queued.Refused).ToList(),
                    Notes = [.. result.Notes, $"{queued.Refused:N0} child sitemaps were not queued: a campaign may queue {SitemapLimits.PerCampaign:N0} "
                        + $"over its life, and read {SitemapLimits.RowsPerCampaign:N0} rows from them."],
                };
            return TypedResults.Ok(result);
        }
        catch (ImportFormatException e)
        {
            return TypedResults.BadRequest(Problems.Of(StatusCodes.Status400BadRequest, "Unreadable upload", e.Message, "unreadable-upload"));
        }
        catch (BadHttpRequestException e)
        {
            return TooLarge(e);
        }
    }

    /// <summary>The upload broke off or was larger than the import takes; rows read before that are kept.</summary>
    private static ProblemHttpResult TooLarge(Exception e) => e is BadHttpRequestException { StatusCode: not StatusCodes.Status413PayloadTooLarge } bad
        ? TypedResults.Problem($"The upload could not be read to its end ({bad.Message.TrimEnd('.')}); rows read before that were imported.",
            statusCode: bad.StatusCode, title: "Unreadable upload")
        : TypedResults.Problem($"The upload is larger than {MaxImportBytes / 1024 / 1024} MB, the most one import takes; split the file. "
            + "Rows read before the limit were imported.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large");

    /// <summary>The uploaded file and its media type: the raw body, or the 'file' part of a multipart form.</summary>
    private static async Task<(Stream Body, string MediaType)> UploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
                return (Stream.Null, "multipart/form-data without a file");
            var type = file.ContentType is { Length: > 0 } t && t != "application/octet-stream" ? t : TypeFromName(file.FileName);
            return (file.OpenReadStream(), MediaTypeOf(type));
        }
        return (request.Body, MediaTypeOf(request.ContentType));
    }

    private static string TypeFromName(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".csv" => "text/csv",
        ".json" => "application/json",
        ".xml" => "application/xml",
        _ => "application/octet-stream",
    };

    private static string MediaTypeOf(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant() is { Length: > 0 } type ? type : "(none)";

    private static NotFound<ProblemDetails> NotFound(string id) => Problems.NotFound($"No campaign '{id}' in this tenant.");
}
