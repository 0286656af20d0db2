using System.Net;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Submission.Api;
using BacklinkOrleans.Submission.IndexNow;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace BacklinkOrleans.Submission;

public static class SubmissionModule
{
    /// <summary>
    /// Binds the submit port to the channels' quota grains (IndexNow so far) and registers the IndexNow client: the
    /// outbound handler (SSRF guard, or the Sandbox in Sandbox mode) behind a resilience pipeline that retries only
    /// what proves the engine took nothing (429/503, no connection), never a long Retry-After (the grain schedules
    /// those), with a circuit breaker for 5xx storms and a per-attempt timeout.
    /// </summary>
    public static IServiceCollection AddSubmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IndexNowOptions>().Bind(configuration.GetSection("Submission:IndexNow"))
            .Validate(o => o.DailyLimit >= 1, "Submission:IndexNow:DailyLimit must be at least 1.")
            .Validate(o => o.MaxBatchSize is >= 1 and <= 10_000, "Submission:IndexNow:MaxBatchSize must be between 1 and 10000 (the protocol's maximum per POST).")
            .Validate(o => o.Linger >= TimeSpan.Zero && o.PumpInterval > TimeSpan.Zero && o.AnswerWithin > TimeSpan.Zero && o.RedeliverAfter > TimeSpan.Zero,
                "Submission:IndexNow:Linger must not be negative; PumpInterval, AnswerWithin and RedeliverAfter must be positive.")
            .Validate(o => o.BackoffBase > TimeSpan.Zero && o.BackoffMax >= o.BackoffBase, "Submission:IndexNow:BackoffBase must be positive and at most BackoffMax.")
            .Validate(o => o.RequestTimeout > TimeSpan.Zero && o.InlineRetries >= 0 && o.InlineRetryMaxDelay >= TimeSpan.Zero,
                "Submission:IndexNow:RequestTimeout must be positive; InlineRetries and InlineRetryMaxDelay must not be negative.")
            .Validate(o => o.UnknownOutcomeHold >= TimeSpan.FromHours(24),
                "Submission:IndexNow:UnknownOutcomeHold must be at least 1.00:00:00: a URL is sent at most once per key in any 24 hours.")
            .Validate(o => o.EndpointOverride is null || (o.EndpointOverride.IsAbsoluteUri && o.EndpointOverride.Scheme is "http" or "https"),
                "Submission:IndexNow:EndpointOverride must be an absolute http(s) URL.")
            .ValidateOnStart();
        services.AddOutboundHttp();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IndexNowClient>();
        services.AddSingleton<KeySource>();
        services.Replace(ServiceDescriptor.Singleton<ISubmissionPort, ChannelSubmissionPort>());
        services.AddHttpClient(IndexNowClient.ClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's per-attempt timeout rules
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BacklinkOrleans/1.0 (+https://github.com/backlink-orleans)");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOutboundHandlerFactory>().CreateHandler())
            .RemoveAllLoggers() // requests carry the key: the grain logs what it sent, redacted
            .AddResilienceHandler("indexnow", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<IndexNowOptions>>().Value;
                var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
                if (options.InlineRetries > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.InlineRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(250),
                        MaxDelay = options.InlineRetryMaxDelay,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                        {
                            { Exception: { } e } => IndexNowClient.NeverSent(e),
                            { Result: { } response } => IndexNowClient.ProvesNotReceived(response.StatusCode)
                                && !(IndexNowClient.RetryAfter(response, time.GetUtcNow()) > options.InlineRetryMaxDelay),
                            _ => false,
                        }),
                    });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    // An engine answering 5xx (or nothing) to most requests: stop sending to it for a while.
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                    {
                        { Exception: { } e } => e is HttpRequestException or Polly.Timeout.TimeoutRejectedException,
                        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
                        _ => false,
                    }),
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    SamplingDuration = TimeSpan.FromSeconds(60),
                    BreakDuration = TimeSpan.FromSeconds(30),
                });
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.RequestTimeout });
            })
            .SelectPipelineByAuthority(); // one breaker per engine endpoint: Bing failing does not stop Yandex
        return services;
    }

    public static IEndpointRouteBuilder MapSubmissionEndpoints(this IEndpointRouteBuilder app) => app.MapQuotasApi();
}
