using BacklinkOrleans.Backlinks.Api;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Grains;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.Backlinks.Scheduling;
using BacklinkOrleans.SharedKernel.Audit;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using FluentValidation;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Backlinks;

public static class BacklinksModule
{
    /// <summary>
    /// The backlink lifecycle, campaigns, import, audit reads and the sweeper. The lifecycle's ports default to
    /// "not bound" (URLs wait at that step) until the routing, validation, submission and monitoring modules bind them.
    /// </summary>
    public static IServiceCollection AddBacklinks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations(typeof(BacklinksModule).Assembly);
        services.AddOptions<BacklinkOptions>().Bind(configuration.GetSection("Backlinks"))
            .Validate(o => o.Shards is >= 1 and <= 256 && (o.Shards & (o.Shards - 1)) == 0, "Backlinks:Shards must be a power of two from 1 to 256.")
            .Validate(o => o.SweepPeriod > TimeSpan.Zero && o.SweepLease > TimeSpan.Zero && o.SweepBatch >= 1 && o.SweepParallelism >= 1,
                "Backlinks:SweepPeriod and SweepLease must be positive; SweepBatch and SweepParallelism at least 1.")
            .Validate(o => o.DriveConcurrency is >= 1 and <= 10_000, "Backlinks:DriveConcurrency must be from 1 to 10000.")
            .Validate(o => o.FastPathGrace > TimeSpan.Zero && o.IdleAfter >= TimeSpan.Zero && o.UnboundPortRetry > TimeSpan.Zero && o.PortErrorRetry > TimeSpan.Zero,
                "Backlinks:FastPathGrace, UnboundPortRetry and PortErrorRetry must be positive; IdleAfter must not be negative.")
            .ValidateOnStart();
        foreach (var (alias, type) in EventTypes)
            services.AddSingleton(new EventTypeRegistration(alias, type));
        services.TryAddSingleton<EventTypeRegistry>();
        services.AddSingleton<IInlineProjection, BacklinkProjection>();
        services.AddSingleton<IInlineProjection, CampaignProjection>();
        services.AddAuditCheck<Audit.SubmissionAuditCheck>();
        services.AddAuditCheck<Audit.CounterAuditCheck>();
        services.AddSingleton<BacklinkSchedule>();
        services.AddSingleton<BacklinkQueries>();
        services.AddSingleton<CostQueries>();
        services.AddSingleton<BacklinkHistory>();
        services.AddSingleton<BacklinkDriver>();
        services.AddHostedService(sp => sp.GetRequiredService<BacklinkDriver>());
        services.AddSingleton<IBacklinkCollector, BulkBacklinkCollector>();
        services.AddSingleton<BacklinkImporter>();
        services.AddSingleton<IValidator<CreateCampaignRequest>, CreateCampaignValidator>();

        services.TryAddSingleton<UnboundPorts>();
        services.TryAddSingleton<IRoutingPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<IValidationPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<ISubmissionPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<IIndexCheckPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<ILinkCheckPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<ISitemapFetchPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.TryAddSingleton<ICapacityPort>(sp => sp.GetRequiredService<UnboundPorts>());
        services.AddSingleton<Campaigns.CampaignEtaService>();
        services.AddHostedService<SchedulerStarter>();
        services.AddHostedService<BacklinkStateMetrics>();
        return services;
    }

    public static IEndpointRouteBuilder MapBacklinksEndpoints(this IEndpointRouteBuilder app) =>
        app.MapCampaignsApi().MapBacklinksApi().MapCostsApi();

    /// <summary>Every stored event of the module under its alias (aliases never change).</summary>
    public static IReadOnlyList<(string Alias, Type Type)> EventTypes { get; } =
    [
        ("backlink.collected.v1", typeof(BacklinkCollected)),
        ("backlink.campaign-joined.v1", typeof(BacklinkJoinedCampaign)),
        ("backlink.routed.v1", typeof(BacklinkRouted)),
        ("backlink.validated.v1", typeof(BacklinkValidated)),
        ("backlink.failed.v1", typeof(BacklinkFailed)),
        ("backlink.submission-attempted.v1", typeof(SubmissionAttempted)),
        ("backlink.submitted.v1", typeof(BacklinkSubmitted)),
        ("backlink.channel-dropped.v1", typeof(ChannelDropped)),
        ("backlink.submission-queued.v1", typeof(SubmissionQueued)),
        ("backlink.waiting.v1", typeof(BacklinkWaiting)),
        ("backlink.index-checked.v1", typeof(IndexChecked)),
        ("backlink.indexed.v1", typeof(BacklinkIndexed)),
        ("backlink.retry-requested.v1", typeof(RetryRequested)),
        ("backlink.retired.v1", typeof(BacklinkRetired)),
        ("backlink.withdrawal-queued.v1", typeof(WithdrawalQueued)),
        ("backlink.check-requested.v1", typeof(CheckRequested)),
        ("backlink.recovery-started.v1", typeof(RecoveryStarted)),
        ("backlink.pre-check-skipped.v1", typeof(PreCheckSkipped)),
        ("backlink.link-checked.v1", typeof(LinkChecked)),
        ("backlink.link-missing.v1", typeof(LinkMissing)),
        ("backlink.link-restored.v1", typeof(LinkRestored)),
        ("backlink.link-rel-changed.v1", typeof(LinkRelChanged)),
        ("campaign.created.v1", typeof(CampaignCreated)),
        ("campaign.paused.v1", typeof(CampaignPaused)),
        ("campaign.resumed.v1", typeof(CampaignResumed)),
        ("campaign.cancelled.v1", typeof(CampaignCancelled)),
        ("campaign.drip-changed.v1", typeof(CampaignDripChanged)),
        ("drip.slots-reserved.v1", typeof(DripSlotsReserved)),
        ("campaign.sitemap-queued.v1", typeof(SitemapQueued)),
        ("campaign.sitemap-imported.v1", typeof(SitemapImported)),
    ];
}

/// <summary>Registers the scheduler shards' reminders once the silo runs (every silo asks; registering again changes nothing).</summary>
internal sealed class SchedulerStarter(IGrainFactory grains, IOptions<BacklinkOptions> options, ILogger<SchedulerStarter> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => SharedKernel.Hosting.KeepAlive.RetryUntilStartedAsync(
        () => Task.WhenAll(Enumerable.Range(0, options.Value.Shards).Select(i => grains.GetGrain<ISchedulerShardGrain>(i).EnsureRunningAsync())),
        "the scheduler shards", logger, stoppingToken);
}
