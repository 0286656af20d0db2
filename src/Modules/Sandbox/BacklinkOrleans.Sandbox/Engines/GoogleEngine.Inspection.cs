using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using Microsoft.AspNetCore.Http;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>Search Console's URL Inspection API, as protocols.md describes it.</summary>
internal sealed partial class GoogleEngine
{
    private const string InspectPath = "/v1/urlInspection/index:inspect";

    private Answer Inspect(HttpRequest request, string? body)
    {
        var authorization = request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..].Trim() : "";
        if (request.Path != InspectPath)
            return Error(404, $"The requested URL {request.Path} was not found on this server.", "NOT_FOUND");
        if (!HttpMethods.IsPost(request.Method))
            return Error(405, "Method not allowed.", "INVALID_ARGUMENT");
        if (!simulation.Tokens.TryGetValue(token, out var grant) || grant.ExpiresAt <= time.GetUtcNow())
            return Error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. "
                + "See https://developers.google.com/identity/sign-in/web/devconsole-project.", "UNAUTHENTICATED");
        if (!grant.Scope.Split(' ').Any(s => s is GoogleSimulation.WebmastersScope or "https://www.googleapis.com/auth/webmasters"))
            return Error(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED");
        string? url, site;
        try
        {
            var json = JsonNode.Parse(body ?? "");
            url = json?["inspectionUrl"]?.GetValue<string>();
            site = json?["siteUrl"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Recorded(grant.Email, null, null, Error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"));
        }
        if (url is null || site is null || !UrlNormalizer.TryNormalize(url, out var inspected, out _))
            return Recorded(grant.Email, site, url, Error(400, "Invalid value: inspectionUrl and siteUrl are required.", "INVALID_ARGUMENT"));
        if (!OwnsProperty(grant.Email, site, inspected))
            return Recorded(grant.Email, site, url,
                Error(403, "You do not own this site, or the inspected URL is not part of this property.", "PERMISSION_DENIED"));
        var now = time.GetUtcNow();
        if (!Count(simulation.InspectionsPerMinute, (site, now.ToUnixTimeSeconds() / 60), simulation.InspectionPerMinuteLimit))
            return Recorded(grant.Email, site, url, Quota("URL Inspection requests", "URL Inspection requests per minute per site", grant.Project));
        if (!Count(simulation.InspectionsPerDay, (site, GoogleSimulation.PacificDay(now)), simulation.InspectionDailyLimit))
            return Recorded(grant.Email, site, url, Quota("URL Inspection requests", "URL Inspection requests per day per site", grant.Project));
        if (simulation.TryTakeScripted(out var scripted))
            return Recorded(grant.Email, site, url, Error(scripted.Status, scripted.Message, StatusName(scripted.Status)));

        var state = simulation.ScriptedInspection(inspected.Value, now)
            ?? (simulation.Index?.IsIndexed(inspected.Value, now) == true ? InspectionState.Indexed
                : simulation.Index?.WasSubmitted(inspected.Value) == true ? InspectionState.Discovered
                : InspectionState.Unknown);
        var result = new JsonObject
        {
            ["verdict"] = state.Verdict,
            ["coverageState"] = state.CoverageState,
            ["robotsTxtState"] = state.RobotsTxtState,
            ["indexingState"] = state.IndexingState,
            ["pageFetchState"] = state.PageFetchState,
        };
        if (state.Verdict != "NEUTRAL")
        {
            result["lastCrawlTime"] = now.AddHours(-3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            result["googleCanonical"] = state.GoogleCanonical ?? inspected.Value;
            result["userCanonical"] = state.UserCanonical ?? inspected.Value;
            result["crawledAs"] = "MOBILE";
        }
        var answer = new JsonObject
        {
            ["inspectionResult"] = new JsonObject
            {
                ["inspectionResultLink"] = $"https://search.google.com/search-console/inspect?resource_id={Uri.EscapeDataString(site)}&id={Uri.EscapeDataString(url)}",
                ["indexStatusResult"] = result,
            },
        };
        return Recorded(grant.Email, site, url, new Answer(200, answer.ToJsonString()), state.CoverageState);
    }

    /// <summary>The account is an Owner of exactly <paramref name="site"/>, and the URL is part of it.</summary>
    private bool OwnsProperty(string email, string site, NormalizedUrl url)
    {
        if (!simulation.OwnersByProperty.TryGetValue(site, out var owners) || !owners.ContainsKey(email))
            return false;
        if (site.StartsWith("sc-domain:", StringComparison.Ordinal))
        {
            var domain = site["sc-domain:".Length..];
            return url.Host.Equals(domain, StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
        }
        return url.Value.StartsWith(site, StringComparison.Ordinal);
    }

    private Answer Recorded(string? email, string? site, string? url, Answer answer, string? coverage = null)
    {
        simulation.Record(new InspectionRequest(time.GetUtcNow(), email, site, url, answer.Status, coverage));
        return answer;
    }
}
