using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace BacklinkOrleans.Sandbox.Engines;

/// <summary>Answers Google's token endpoint and Indexing API by the rules of protocols.md; see <see cref="GoogleSimulation"/>.</summary>
internal sealed partial class GoogleEngine(GoogleSimulation simulation, TimeProvider time)
{
    private const string PublishPath = "/v3/urlNotifications:publish";
    private const string MetadataPath = "/v3/urlNotifications/metadata";
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>An answer to one request (or one part of a batch).</summary>
    private sealed record Answer(int Status, string Body);

    public async Task HandleAsync(HttpContext context, string host, string? body)
    {
        if (simulation.Latency > TimeSpan.Zero)
            await Task.Delay(simulation.Latency, time, context.RequestAborted);
        if (host == GoogleSimulation.TokenHost)
        {
            await WriteAsync(context, Token(context.Request, body));
            return;
        }
        if (host == GoogleSimulation.SearchConsoleHost)
        {
            await WriteAsync(context, Inspect(context.Request, body));
            return;
        }
        var path = context.Request.Path.Value ?? "";
        if (path == "/batch" && HttpMethods.IsPost(context.Request.Method))
        {
            await BatchAsync(context, body);
            return;
        }
        await WriteAsync(context, await ApiAsync(context.Request.Method, path + context.Request.QueryString, context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType, body, inBatch: false));
    }

    private static Task WriteAsync(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(answer.Body);
    }

    // ---- the token endpoint ------------------------------------------------------------------------------------

    private Answer Token(HttpRequest request, string? body)
    {
        if (request.Path != "/token" || !HttpMethods.IsPost(request.Method))
            return new Answer(404, """{"error":"not_found"}""");
        var form = QueryHelpers.ParseQuery(body ?? "");
        if (form["grant_type"].ToString() != JwtBearer)
            return Refuse("unsupported_grant_type", "Invalid grant_type: " + form["grant_type"]);
        var assertion = form["assertion"].ToString();
        var parts = assertion.Split('.');
        if (parts.Length != 3)
            return Refuse("invalid_grant", "Invalid JWT: the assertion is not a signed JWT.");
        JsonNode? header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]));
            claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Refuse("invalid_grant", "Invalid JWT: the header or the claims are not base64url JSON.");
        }
        if (header?["alg"]?.GetValue<string>() != "RS256")
            return Refuse("invalid_grant", "Invalid JWT: the algorithm must be RS256.");
        var issuer = claims?["iss"]?.GetValue<string>();
        if (issuer is null || !simulation.Accounts.TryGetValue(issuer, out var account))
            return Refuse("invalid_grant", "Invalid grant: account not found");
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return Refuse("invalid_grant", "Invalid JWT Signature.");
        }
        if (!account.PublicKey.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return Refuse("invalid_grant", "Invalid JWT Signature.");
        if (claims?["aud"]?.GetValue<string>() != GoogleSimulation.TokenUrl)
            return Refuse("invalid_grant", "Invalid JWT: the audience must be " + GoogleSimulation.TokenUrl);
        var scope = claims?["scope"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(scope))
            return Refuse("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var iat = claims?["iat"]?.GetValue<long>() ?? 0;
        var exp = claims?["exp"]?.GetValue<long>() ?? 0;
        if (iat == 0 || exp == 0 || exp > iat + 3600 || exp <= now || iat > now + 300)
            return Refuse("invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        var token = "ya29.sandbox-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        simulation.Tokens[token] = (issuer, account.Project, scope, time.GetUtcNow().AddSeconds(3600));
        simulation.CountToken(issued: true);
        return new Answer(200, JsonSerializer.Serialize(new { access_token = token, expires_in = 3599, token_type = "Bearer" }));
    }

    private Answer Refuse(string error, string description)
    {
        simulation.CountToken(issued: false);
        return new Answer(400, JsonSerializer.Serialize(new { error, error_description = description }));
    }

    // ---- the Indexing API --------------------------------------------------------------------------------------

    private async Task<Answer> ApiAsync(string method, string pathAndQuery, string authorization, string? contentType, string? body, bool inBatch)
    {
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..].Trim() : "";
        if (!simulation.Tokens.TryGetValue(token, out var grant) || grant.ExpiresAt <= time.GetUtcNow())
            return Error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. "
                + "See https://developers.google.com/identity/sign-in/web/devconsole-project.", "UNAUTHENTICATED");
        if (!grant.Scope.Split(' ').Contains(GoogleSimulation.IndexingScope))
            return Error(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED");
        var queryStart = pathAndQuery.IndexOf('?');
        var path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (Count(simulation.RequestsPerMinute, (grant.Project, minute), simulation.PerMinuteLimit) is false)
        {
            var refused = Quota("Requests", "Requests per minute", grant.Project);
            return path == PublishPath ? PublishRecorded(grant, null, null, refused, inBatch) : refused;
        }

        if (path == MetadataPath && method == "GET")
            return Metadata(grant, QueryHelpers.ParseQuery(queryStart < 0 ? "" : pathAndQuery[queryStart..])["url"].ToString(), minute);
        if (path != PublishPath)
            return Error(404, $"The requested URL {path} was not found on this server.", "NOT_FOUND");
        if (method != "POST")
            return Error(405, "Method not allowed.", "INVALID_ARGUMENT");

        string? url = null, type = null;
        try
        {
            var request = JsonNode.Parse(body ?? "");
            url = request?["url"]?.GetValue<string>();
            type = request?["type"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return PublishRecorded(grant, url, type, Error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"), inBatch);
        }
        var publication = new GooglePublication(time.GetUtcNow(), grant.Project, grant.Email, url, type, 0, null, inBatch);
        if (simulation.BeforeAnswer is { } hook)
            await hook(publication);
        if (simulation.TryTakeScripted(out var scripted))
            return PublishRecorded(grant, url, type, Error(scripted.Status, scripted.Message, StatusName(scripted.Status)), inBatch);
        if (Count(simulation.PublishesPerDay, (grant.Project, GoogleSimulation.PacificDay(time.GetUtcNow())), simulation.DailyPublishLimit) is false)
            return PublishRecorded(grant, url, type, Quota("Publish requests", "Publish requests per day", grant.Project), inBatch);
        if (type is not ("URL_UPDATED" or "URL_DELETED"))
            return PublishRecorded(grant, url, type, Error(400, $"Invalid value at 'url_notification.type' ({type ?? "none"}).", "INVALID_ARGUMENT"), inBatch);
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return PublishRecorded(grant, url, type, Error(400, "Invalid value at 'url_notification.url'.", "INVALID_ARGUMENT"), inBatch);
        if (!Owns(grant.Email, uri))
            return PublishRecorded(grant, url, type, Error(403, "Permission denied. Failed to verify the URL ownership.", "PERMISSION_DENIED"), inBatch);

        var notification = new JsonObject { ["url"] = url, ["type"] = type, ["notifyTime"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) };
        simulation.Notified.AddOrUpdate(url,
            _ => type == "URL_UPDATED" ? (notification.ToJsonString(), null) : (null, notification.ToJsonString()),
            (_, was) => type == "URL_UPDATED" ? (notification.ToJsonString(), was.LatestRemove) : (was.LatestUpdate, notification.ToJsonString()));
        var answer = new JsonObject { ["urlNotificationMetadata"] = MetadataOf(url) };
        var recorded = PublishRecorded(grant, url, type, new Answer(200, answer.ToJsonString()), inBatch);
        if (simulation.HoldAnswer is { } hold)
            await hold(publication with { Status = 200 });
        return recorded;
    }

    private Answer Metadata(( string Email, string Project, string Scope, DateTimeOffset ExpiresAt) grant, string url, long minute)
    {
        simulation.CountMetadataRead();
        if (Count(simulation.MetadataPerMinute, (grant.Project, minute), simulation.MetadataPerMinuteLimit) is false)
            return Quota("Metadata read requests", "Metadata read requests per minute", grant.Project);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return Error(400, "Invalid value at 'url'.", "INVALID_ARGUMENT");
        if (!Owns(grant.Email, uri))
            return Error(403, "Permission denied. Failed to verify the URL ownership.", "PERMISSION_DENIED");
        return simulation.Notified.ContainsKey(url)
            ? new Answer(200, MetadataOf(url)!.ToJsonString())
            : Error(404, "Requested entity was not found.", "NOT_FOUND");
    }

    private JsonObject? MetadataOf(string url)
    {
        if (!simulation.Notified.TryGetValue(url, out var notified))
            return null;
        var metadata = new JsonObject { ["url"] = url };
        if (notified.LatestUpdate is { } update)
            metadata["latestUpdate"] = JsonNode.Parse(update);
        if (notified.LatestRemove is { } remove)
            metadata["latestRemove"] = JsonNode.Parse(remove);
        return metadata;
    }

    private Answer PublishRecorded((string Email, string Project, string Scope, DateTimeOffset ExpiresAt) grant, string? url, string? type, Answer answer, bool inBatch)
    {
        var message = answer.Status == 200 ? null : JsonNode.Parse(answer.Body)?["error"]?["message"]?.GetValue<string>();
        simulation.Record(new GooglePublication(time.GetUtcNow(), grant.Project, grant.Email, url, type, answer.Status, message, inBatch));
        return answer;
    }

    /// <summary>Whether the account is an Owner of a property covering the URL (a domain property: any scheme and subdomain; a prefix: under it).</summary>
    private bool Owns(string email, Uri url)
    {
        foreach (var (property, owners) in simulation.OwnersByProperty)
        {
            if (!owners.ContainsKey(email))
                continue;
            if (property.StartsWith("sc-domain:", StringComparison.Ordinal))
            {
                var domain = property["sc-domain:".Length..];
                if (url.IdnHost.Equals(domain, StringComparison.OrdinalIgnoreCase) || url.IdnHost.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
                    return true;
            }
            else if (url.AbsoluteUri.StartsWith(property, StringComparison.Ordinal))
                return true; // scheme included: an http URL is not under an https property
        }
        return false;
    }

    /// <summary>Counts one request against a limit; false when the limit was already reached (nothing counted).</summary>
    private static bool Count<TKey>(System.Collections.Concurrent.ConcurrentDictionary<TKey, int> counters, TKey key, int limit) where TKey : notnull
    {
        var allowed = true;
        counters.AddOrUpdate(key, _ => (allowed = limit > 0) ? 1 : 0, (_, used) => (allowed = used < limit) ? used + 1 : used);
        return allowed;
    }

    private static Answer Quota(string metric, string limit, string project) => Error(429,
        $"Quota exceeded for quota metric '{metric}' and limit '{limit}' of service 'indexing.googleapis.com' for consumer 'project_number:{ProjectNumber(project)}'.",
        "RESOURCE_EXHAUSTED");

    private static string ProjectNumber(string project) =>
        (BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(project)), 0) % 900_000_000_000 + 100_000_000_000).ToString(CultureInfo.InvariantCulture);

    private static Answer Error(int code, string message, string status) =>
        new(code, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }.ToJsonString());

    private static string StatusName(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        _ => "INTERNAL",
    };
}
