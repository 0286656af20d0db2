using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BacklinkOrleans.Sandbox;

/// <summary>In Sandbox mode, operators script the simulated world over HTTP: publish pages and files, read the log.</summary>
public static class SandboxApi
{
    /// <summary>The Sandbox's ports and what it simulates.</summary>
    public sealed record SandboxInfo(int HttpPort, int HttpsPort, IReadOnlyList<string> IndexNowEndpoints, int Requests);

    public static IEndpointRouteBuilder MapSandboxEndpoints(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox").WithTags("Sandbox").RequireAuthorization(TenantClaims.OperatorPolicy);
        sandbox.MapGet("/", (SandboxHost host) => TypedResults.Ok(new SandboxInfo(host.Server.HttpPort, host.Server.HttpsPort,
                IndexNowSimulation.Endpoints, host.Server.Log.All.Count)))
            .WithName("SandboxInfo").WithSummary("Sandbox mode: ports, simulated engines, requests received.");
        sandbox.MapPut("/sites/{host}/{**path}", PublishAsync).WithName("SandboxPublish")
            .WithSummary("Serve the request body at https://{host}/{path} (status and content type from the query, default 200 text/plain; failNext=N: the site's next N requests answer 500).");
        sandbox.MapPut("/fallback/{host}", SetFallbackAsync).WithName("SandboxFallback")
            .WithSummary("Serve the request body at every path of https://{host}/ that is not published (a site of many pages).");
        sandbox.MapGet("/requests", (SandboxHost sandboxHost) => TypedResults.Ok(sandboxHost.Server.Log.All))
            .WithName("SandboxRequests").WithSummary("Every request the simulated world received, in order.");
        sandbox.MapGet("/engines/indexnow", (SandboxHost host) => TypedResults.Ok(host.Server.IndexNow.Statistics()))
            .WithName("SandboxIndexNow").WithSummary("What the simulated IndexNow engine received: requests, accepted URLs, URLs accepted twice in a day.");
        sandbox.MapGet("/engines/indexnow/twice", (SandboxHost host) => TypedResults.Ok(host.Server.IndexNow.AcceptedTwice()))
            .WithName("SandboxIndexNowTwice").WithSummary("URLs the simulated IndexNow engine accepted twice within a day (at most 20), with both requests.");
        sandbox.MapPut("/engines/indexnow", (IndexNowSettings settings, SandboxHost host) =>
            {
                var engine = host.Server.IndexNow;
                if (settings.LatencyMs is { } latency)
                    engine.Latency = TimeSpan.FromMilliseconds(Math.Clamp(latency, 0, 60_000));
                if (settings.DailyLimitPerKey is { } limit)
                    engine.DailyLimitPerKey = Math.Max(0, limit);
                if (settings.ServerErrorRate is { } rate)
                    engine.ServerErrorRate = Math.Clamp(rate, 0, 1);
                if (settings.HoldAfterUrls is { } after)
                    engine.HoldAfterUrls = Math.Max(0, after);
                return TypedResults.Ok(new IndexNowSettings((int)engine.Latency.TotalMilliseconds, engine.DailyLimitPerKey, engine.ServerErrorRate,
                    engine.HoldAfterUrls));
            })
            .WithName("SandboxIndexNowSettings")
            .WithSummary("Set the simulated IndexNow engine's latency, daily limit per key and 5xx rate; holdAfterUrls=N holds every accepted request after N accepted URLs unanswered until released.");
        sandbox.MapGet("/engines/indexnow/held", (SandboxHost host) => TypedResults.Ok(host.Server.IndexNow.Held
                .Select(h => new HeldRequest(h.At, h.Endpoint, h.Host, h.Urls.Count, h.Client)).ToList())) // keys are secrets: not shown
            .WithName("SandboxIndexNowHeld").WithSummary("The IndexNow requests held unanswered now, with the client that sent each (X-Sandbox-Client).");
        sandbox.MapPost("/engines/indexnow/release", (SandboxHost host) => TypedResults.Ok(new { released = host.Server.IndexNow.Release() }))
            .WithName("SandboxIndexNowRelease").WithSummary("Answer every held IndexNow request and stop holding.");
        MapGoogle(sandbox.MapGroup("/engines/google"));
        MapSearch(sandbox);
        MapVendor(sandbox.MapGroup("/engines/vendor"));
        return app;
    }

    /// <summary>What the simulated vendor holds: tasks, URLs submitted (and those in more than one task), requests.</summary>
    public sealed record VendorStatistics(int Tasks, int UrlsSubmitted, int UrlsInMoreThanOneTask, int Requests);

    /// <summary>A new account of the simulated vendor with these credits, or credits added to an existing one (<see cref="ApiKey"/> set).</summary>
    public sealed record VendorCredits(long? Indexer, long? Checker, string? ApiKey = null);

    /// <summary>Settings of the simulated vendor; absent fields stay as they are.</summary>
    public sealed record VendorSettings(string? ProcessingTime, int? LatencyMs);

    /// <summary>Scripting the simulated paid vendor: accounts and their credits, how long tasks take.</summary>
    private static void MapVendor(RouteGroupBuilder vendor)
    {
        vendor.MapGet("/", (SandboxHost host) =>
            {
                var v = host.Server.Vendor;
                var submitted = v.SubmittedUrls();
                return TypedResults.Ok(new VendorStatistics(v.Tasks.Count, submitted.Count, submitted.Count(s => s.Value > 1), v.Requests.Count));
            })
            .WithName("SandboxVendor").WithSummary("What the simulated vendor received: tasks, URLs submitted, URLs in more than one task, requests.");
        vendor.MapPost("/accounts", Results<Ok<VendorCredits>, NotFound> (VendorCredits credits, SandboxHost host) =>
            {
                var v = host.Server.Vendor;
                var (indexer, checker) = (Math.Max(0, credits.Indexer ?? 0), Math.Max(0, credits.Checker ?? 0));
                if (credits.ApiKey is { } key)
                    return v.TopUp(key, indexer, checker) ? TypedResults.Ok(Balance(v, key)) : TypedResults.NotFound();
                return TypedResults.Ok(Balance(v, v.CreateAccount(indexer, checker)));
            })
            .WithName("SandboxVendorAccount")
            .WithSummary("Open an account with these credits (add its apiKey as a credential of kind vendor), or top one up by naming its apiKey.");
        vendor.MapPut("/", Results<Ok<VendorSettings>, ValidationProblem> (VendorSettings settings, SandboxHost host) =>
            {
                var v = host.Server.Vendor;
                if (settings.ProcessingTime is { } text)
                {
                    if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < TimeSpan.Zero)
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["processingTime"] = ["a duration such as 02:00:00"] });
                    v.ProcessingTime = parsed;
                }
                if (settings.LatencyMs is { } latency)
                    v.Latency = TimeSpan.FromMilliseconds(Math.Clamp(latency, 0, 60_000));
                return TypedResults.Ok(new VendorSettings(v.ProcessingTime.ToString(), (int)v.Latency.TotalMilliseconds));
            })
            .WithName("SandboxVendorSettings").WithSummary("Set how long the simulated vendor takes to process a task, and its latency.");
    }

    private static VendorCredits Balance(VendorSimulation vendor, string key) =>
        vendor.Balance(key) is { } b ? new VendorCredits(b.Indexer, b.Checker, key) : new VendorCredits(0, 0, key);

    /// <summary>Settings of the simulated SERP API and search index; absent fields stay as they are.</summary>
    public sealed record SerpSettings(int? LatencyMs, double? FalseNegativeRate, string? IndexAfterSubmission);

    /// <summary>An API key the simulated SERP API accepts.</summary>
    public sealed record SerpApiKey(string ApiKey);

    /// <summary>A URL of the simulated search index: indexed from now on, or dropped from it.</summary>
    public sealed record IndexEntry(string Url, bool Indexed);

    /// <summary>Scripting the simulated search world: the SERP API, its keys, and what the index holds.</summary>
    private static void MapSearch(RouteGroupBuilder sandbox)
    {
        sandbox.MapGet("/engines/serp", (SandboxHost host) => TypedResults.Ok(host.Server.Serp.Statistics()))
            .WithName("SandboxSerp").WithSummary("What the simulated SERP API answered: queries, those answered, matches left out as false negatives.");
        sandbox.MapPut("/engines/serp", Results<Ok<SerpSettings>, ValidationProblem> (SerpSettings settings, SandboxHost host) =>
            {
                var (serp, index) = (host.Server.Serp, host.Server.Index);
                TimeSpan? after = null;
                if (settings.IndexAfterSubmission is { } text)
                {
                    if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < TimeSpan.Zero)
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["indexAfterSubmission"] = ["a duration such as 00:30:00"] });
                    after = parsed;
                }
                if (settings.LatencyMs is { } latency)
                    serp.Latency = TimeSpan.FromMilliseconds(Math.Clamp(latency, 0, 60_000));
                if (settings.FalseNegativeRate is { } rate)
                    serp.FalseNegativeRate = Math.Clamp(rate, 0, 1);
                if (after is not null)
                    index.IndexAfterSubmission = after;
                return TypedResults.Ok(new SerpSettings((int)serp.Latency.TotalMilliseconds, serp.FalseNegativeRate, index.IndexAfterSubmission?.ToString()));
            })
            .WithName("SandboxSerpSettings").WithSummary("Set the simulated SERP API's latency and false-negative rate, and how long after a submission a URL is indexed.");
        sandbox.MapPost("/engines/serp/keys", (SandboxHost host) => TypedResults.Ok(new SerpApiKey(host.Server.Serp.CreateApiKey())))
            .WithName("SandboxSerpKey").WithSummary("Issue an API key the simulated SERP API accepts (add it as a credential of kind serp).");
        sandbox.MapPut("/index", Results<Ok<IndexEntry>, ValidationProblem> (IndexEntry entry, SandboxHost host, TimeProvider time) =>
            {
                if (!BacklinkOrleans.SharedKernel.Urls.UrlNormalizer.TryNormalize(entry.Url, out _, out var error))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [error?.Detail ?? "not a URL"] });
                if (entry.Indexed)
                    host.Server.Index.MarkIndexed(entry.Url, time.GetUtcNow());
                else
                    host.Server.Index.Drop(entry.Url, time.GetUtcNow());
                return TypedResults.Ok(entry);
            })
            .WithName("SandboxIndex").WithSummary("Mark a URL indexed from now on (already indexed before submission), or drop it from the index.");
    }

    /// <summary>A new service account of a simulated Cloud project, owning the listed Search Console properties.</summary>
    public sealed record NewServiceAccount(string? Project, IReadOnlyList<string>? Owns);

    /// <summary>A service account the simulated Google knows: its email and its JSON key, as Google Cloud would give it.</summary>
    public sealed record ServiceAccountKey(string ClientEmail, string Project, IReadOnlyList<string> Owns, System.Text.Json.Nodes.JsonNode ServiceAccountJson);

    /// <summary>An Owner of a Search Console property.</summary>
    public sealed record PropertyOwner(string Property, string ClientEmail);

    /// <summary>Settings of the simulated Indexing API; absent fields stay as they are.</summary>
    public sealed record GoogleSettings(int? LatencyMs, int? DailyPublishLimit, int? PerMinuteLimit);

    /// <summary>Scripting the simulated Google: service accounts, Search Console owners, quotas, what it received.</summary>
    private static void MapGoogle(RouteGroupBuilder google)
    {
        google.MapGet("/", (SandboxHost host) => TypedResults.Ok(host.Server.Google.Statistics()))
            .WithName("SandboxGoogle").WithSummary("What the simulated Indexing API received: publish requests, accepted, URLs twice in a day, tokens.");
        google.MapPost("/service-accounts", Results<Created<ServiceAccountKey>, ValidationProblem> (NewServiceAccount request, SandboxHost host) =>
            {
                var project = string.IsNullOrWhiteSpace(request.Project) ? $"sandbox-{Guid.NewGuid():N}"[..16] : request.Project.Trim();
                if (project.Length > 30 || !project.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["project"] = ["A Cloud project id is up to 30 lowercase letters, digits and hyphens."],
                    });
                var json = host.Server.Google.CreateServiceAccount(project);
                var email = GoogleSimulation.EmailOf(json);
                var owns = (request.Owns ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct(StringComparer.Ordinal).ToList();
                foreach (var property in owns)
                    host.Server.Google.AddOwner(property, email);
                return TypedResults.Created($"/sandbox/engines/google/service-accounts/{email}",
                    new ServiceAccountKey(email, project, owns, System.Text.Json.Nodes.JsonNode.Parse(json)!));
            })
            .WithName("SandboxGoogleServiceAccount")
            .WithSummary("Create a service account (a real RSA key) in a simulated Cloud project, Owner of the listed properties; the answer holds its JSON key.");
        google.MapPut("/owners", (PropertyOwner owner, SandboxHost host) =>
            {
                host.Server.Google.AddOwner(owner.Property.Trim(), owner.ClientEmail.Trim());
                return TypedResults.Ok(owner);
            })
            .WithName("SandboxGoogleAddOwner").WithSummary("Make a service account an Owner of a Search Console property ('sc-domain:example.com' or a URL prefix).");
        google.MapDelete("/owners", (string property, string clientEmail, SandboxHost host) =>
            {
                host.Server.Google.RemoveOwner(property, clientEmail);
                return TypedResults.NoContent();
            })
            .WithName("SandboxGoogleRemoveOwner").WithSummary("Remove an Owner: the next publish for that property answers Google's 403 ownership error.");
        google.MapPut("/", (GoogleSettings settings, SandboxHost host) =>
            {
                var engine = host.Server.Google;
                if (settings.LatencyMs is { } latency)
                    engine.Latency = TimeSpan.FromMilliseconds(Math.Clamp(latency, 0, 60_000));
                if (settings.DailyPublishLimit is { } daily)
                    engine.DailyPublishLimit = Math.Max(0, daily);
                if (settings.PerMinuteLimit is { } minute)
                    engine.PerMinuteLimit = Math.Max(0, minute);
                return TypedResults.Ok(new GoogleSettings((int)engine.Latency.TotalMilliseconds, engine.DailyPublishLimit, engine.PerMinuteLimit));
            })
            .WithName("SandboxGoogleSettings").WithSummary("Set the simulated Indexing API's latency, publish requests per project per Pacific day, requests per minute.");
    }

    /// <summary>An IndexNow request held unanswered: when, to which endpoint, for which host, how many URLs, sent by which client.</summary>
    public sealed record HeldRequest(DateTimeOffset At, string Endpoint, string? Host, int Urls, string? Client);

    /// <summary>Settings of the simulated IndexNow engine; absent fields stay as they are.</summary>
    public sealed record IndexNowSettings(int? LatencyMs, int? DailyLimitPerKey, double? ServerErrorRate, int? HoldAfterUrls = null);

    private static async Task<Ok<string>> SetFallbackAsync(string host, int? status, string? contentType, HttpRequest request, SandboxHost sandbox)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        sandbox.Server.Site(host).Fallback = new SimulatedPage(status ?? 200, body, contentType ?? "text/html; charset=utf-8");
        return TypedResults.Ok($"every unpublished path of https://{host}/ now answers {status ?? 200}");
    }

    private static async Task<Ok<string>> PublishAsync(string host, string path, int? status, string? contentType, int? failNext, HttpRequest request,
        SandboxHost sandbox)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var site = sandbox.Server.Site(host).Page("/" + path, new SimulatedPage(status ?? 200, body, contentType ?? "text/plain; charset=utf-8"));
        if (failNext is > 0)
            site.FailNext(failNext.Value, 500); // the site's next requests (a webhook receiver failing twice: failNext=2)
        return TypedResults.Ok($"https://{host}/{path} now answers {status ?? 200}" + (failNext is > 0 ? $" after {failNext} answers of 500" : ""));
    }
}
