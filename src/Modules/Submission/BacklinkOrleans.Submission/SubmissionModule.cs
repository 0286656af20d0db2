using System.Net;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.Submission.Api;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Google;
using BacklinkOrleans.Submission.IndexNow;
using BacklinkOrleans.Submission.Lane;
using BacklinkOrleans.Submission.Serp;
using BacklinkOrleans.Submission.Vendor;
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
    /// The channel lane (ADR 0013): the registry of channels, routing by coverage (the route port), the submit port,
    /// the generic quota grains and the deliverer of their answers, and the channels themselves — one line each.
    /// </summary>
    public static IServiceCollection AddSubmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutboundHttp();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ChannelRegistry>();
        services.AddSingleton<ChannelRouter>();
        services.AddSingleton<CredentialSource>();
        services.AddSingleton<AnswerDeliverer>();
        services.AddSingleton<Accounts.Contracts.ICredentialChangeListener, QuotaWakeListener>();
        services.AddSingleton<LaneMetrics>();
        services.AddSingleton<SharedKernel.Integration.IIntegrationEventSource, QuotaIntegrationEvents>();
        SharedKernel.Audit.AuditServiceCollectionExtensions.AddAuditCheck<QuotaAuditCheck>(services);
        services.Replace(ServiceDescriptor.Singleton<IRoutingPort>(sp => sp.GetRequiredService<ChannelRouter>()));
        services.Replace(ServiceDescriptor.Singleton<ISubmissionPort, ChannelSubmissionPort>());
        services.Replace(ServiceDescriptor.Singleton<IIndexCheckPort, ChannelIndexCheckPort>());
        services.Replace(ServiceDescriptor.Singleton<ICapacityPort, ChannelCapacityPort>());
        foreach (var (alias, type, snapshot) in QuotaEventTypes)
            services.AddSingleton(new EventTypeRegistration(alias, type, snapshot));

        // The channels: each lives in its own folder and registers here, in one line.
        services.AddIndexNowChannel(configuration);
        services.AddGoogleChannel(configuration);
        services.AddUrlInspection(configuration);
        services.AddSerpChecker(configuration);
        services.AddVendorChannels(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapSubmissionEndpoints(this IEndpointRouteBuilder app) => app.MapQuotasApi().MapChannelsApi();

    /// <summary>The quota ledger's events under their aliases (aliases never change).</summary>
    internal static IReadOnlyList<(string Alias, Type Type, bool Snapshot)> QuotaEventTypes { get; } =
    [
        ("quota.reserved.v1", typeof(QuotaReserved), false),
        ("quota.settled.v1", typeof(QuotaSettled), false),
        ("quota.outcome-unknown.v1", typeof(QuotaOutcomeUnknown), false),
        ("quota.answers-acknowledged.v1", typeof(AnswersAcknowledged), false),
        ("quota.credential-state-changed.v1", typeof(CredentialStateChanged), false),
        ("quota.report-polled.v1", typeof(ReportPolled), false),
        ("quota.report-received.v1", typeof(ReportReceived), false),
        ("quota.snapshot.v1", typeof(LedgerSnapshot), true),
    ];

    /// <summary>
    /// Binds a channel's options section and validates it at start: a bad value ends the Host with exit code 1 and a
    /// sentence naming the setting.
    /// </summary>
    internal static void AddChannelOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section,
        Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new ChannelOptionsValidation<TOptions>(problems));
    }

    /// <summary>
    /// The HTTP client of a channel: the outbound handler (SSRF guard, or the Sandbox in Sandbox mode) behind a
    /// resilience pipeline that retries only what proves the service took nothing (429/503, no connection), never a
    /// long Retry-After (the grain schedules those), with a circuit breaker per endpoint for 5xx storms and a timeout
    /// per attempt. POSTs are never retried blindly.
    /// </summary>
    internal static void AddChannelHttpClient<TOptions>(this IServiceCollection services, string name)
        where TOptions : LaneOptions =>
        services.AddHttpClient(name, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's per-attempt timeout rules
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BacklinkOrleans/1.0 (+https://github.com/backlink-orleans)");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOutboundHandlerFactory>().CreateHandler())
            .ConfigurePrimaryHttpMessageHandler((handler, sp) =>
                OutboundHttp.LimitConnections(handler, sp.GetRequiredService<IOptions<TOptions>>().Value.MaxConnections))
            .RemoveAllLoggers() // requests carry credentials: the grain logs what it sent, redacted
            .AddResilienceHandler(name, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<TOptions>>().Value;
                var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
                pipeline.TimeProvider = WireClock.Resolve(context.ServiceProvider); // timeouts and retry sleeps are real time
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
                            { Exception: { } e } => ChannelHttp.NeverSent(e),
                            { Result: { } response } => ChannelHttp.ProvesNotReceived(response.StatusCode)
                                && !(ChannelHttp.RetryAfter(response, time.GetUtcNow()) > options.InlineRetryMaxDelay),
                            _ => false,
                        }),
                    });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    // A service answering 5xx (or nothing) to most requests: stop sending to it for a while.
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
            .SelectPipelineByAuthority(); // one breaker per endpoint: Bing failing does not stop Yandex

    private sealed class ChannelOptionsValidation<TOptions>(Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}
