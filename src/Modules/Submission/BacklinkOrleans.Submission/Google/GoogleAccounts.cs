using System.Collections.Concurrent;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Google.Apis.Json;
using Google.Apis.Services;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.Google;

/// <summary>
/// A service account's token source and Indexing API client, built once per credential version and kept, so the
/// access token (valid an hour) is reused across batches and refreshed by Google.Apis.Auth when it expires. Tokens
/// are minted on the application's clock, every request goes through the guarded outbound handler (or the Sandbox).
/// </summary>
internal sealed class GoogleAccounts(IOutboundHandlerFactory outbound, IOptions<GoogleOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lazy<GoogleApiService>> services = new(StringComparer.Ordinal);

    /// <summary>The Indexing API client of <paramref name="credential"/> (its secret is the service account's JSON key).</summary>
    public GoogleApiService ServiceFor(CredentialView credential, string secret) =>
        ClientFor(credential, secret, "indexing", GoogleOptions.IndexingScope, options.Value.IndexingBaseUri, options.Value.RequestTimeout);

    /// <summary>The URL Inspection client of <paramref name="credential"/> (read-only Search Console scope).</summary>
    public GoogleApiService InspectionFor(CredentialView credential, string secret, InspectionOptions inspection) =>
        ClientFor(credential, secret, "searchconsole", InspectionOptions.Scope, inspection.BaseUri, inspection.RequestTimeout);

    /// <summary>An API client per credential version and API, kept so its access token is reused until it expires.</summary>
    private GoogleApiService ClientFor(CredentialView credential, string secret, string api, string scope, Uri baseUri, TimeSpan timeout) =>
        services.GetOrAdd($"{credential.Id}/{credential.Fingerprint}/{api}", _ => new Lazy<GoogleApiService>(() => new GoogleApiService(
            new BaseClientService.Initializer
            {
                HttpClientInitializer = CredentialFor(secret, scope),
                HttpClientFactory = new OutboundClientFactory(outbound),
                ApplicationName = "BacklinkOrleans",
                GZipEnabled = false,
                DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None, // the lane decides what is sent again
                HttpClientTimeout = timeout,
            }, baseUri, api))).Value;

    /// <summary>A token source for <paramref name="scope"/> from a service account's JSON key.</summary>
    public ServiceAccountCredential CredentialFor(string serviceAccountJson, string scope)
    {
        var key = Parse(serviceAccountJson);
        return new ServiceAccountCredential(new ServiceAccountCredential.Initializer(key.ClientEmail, options.Value.TokenUrl.AbsoluteUri)
        {
            ProjectId = key.ProjectId,
            KeyId = key.PrivateKeyId,
            Scopes = [scope],
            Clock = new Clock(time),
            HttpClientFactory = new OutboundClientFactory(outbound),
        }.FromPrivateKey(key.PrivateKey));
    }

    /// <summary>The fields of a service account's JSON key (Google's own parser).</summary>
    public static JsonCredentialParameters Parse(string serviceAccountJson) =>
        NewtonsoftJsonSerializer.Instance.Deserialize<JsonCredentialParameters>(serviceAccountJson)
            ?? throw new FormatException("The service account key is empty.");

    /// <summary>Google.Apis.Auth keeps its own clock: JWT iat/exp and token expiry follow the application's.</summary>
    private sealed class Clock(TimeProvider time) : global::Google.Apis.Util.IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }

    /// <summary>Google's HTTP stack on our outbound handler: the SSRF guard (or the Sandbox), no proxy.</summary>
    private sealed class OutboundClientFactory(IOutboundHandlerFactory outbound) : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => outbound.CreateHandler();
    }
}
