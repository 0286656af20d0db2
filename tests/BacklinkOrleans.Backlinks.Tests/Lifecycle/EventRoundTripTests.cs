using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using static BacklinkOrleans.Backlinks.Tests.Lifecycle.BacklinkSpec;

namespace BacklinkOrleans.Backlinks.Tests.Lifecycle;

/// <summary>An event that cannot be stored or read back blocks its grain forever: every type is round-tripped.</summary>
public sealed class EventRoundTripTests
{
    private static readonly CampaignSettings Settings = new("Q4", "Acme", ["indexnow", "google"], 1, [TimeSpan.FromHours(1), TimeSpan.FromDays(1)], TimeSpan.FromDays(30), 70);

    private static readonly IDomainEvent[] Samples =
    [
        Collected(),
        new BacklinkJoinedCampaign(Guid.NewGuid(), "c2", T0),
        Routed("indexnow", "vendor"),
        new BacklinkRouted(Guid.NewGuid(), ["google"], T0, [new RouteTarget("google", "sa-1", "project-1", "Googlebot")],
            [new RouteTarget("google-inspection", "sa-1", "project-1", "Googlebot")]),
        new SubmissionQueued(Guid.NewGuid(), "google", "project-1", T0.AddHours(8), "Google quota spent until midnight Pacific", T0),
        new BacklinkWaiting(Guid.NewGuid(), "validate", "robots.txt answered 503", T0.AddMinutes(30), T0),
        Validated(),
        Failed(FailureReasons.RobotsDisallowed),
        new SubmissionAttempted(Guid.NewGuid(), "indexnow", "key:ab12", "batch-9", 0, false, "timed out", 30_000, T0, SubmissionOutcomes.Unknown, T0.AddDays(1)),
        new ChannelDropped(Guid.NewGuid(), "indexnow", FailureReasons.KeyInvalid, "HTTP 403: the key file's content differs from the key", T0),
        Submitted(),
        new IndexChecked(Guid.NewGuid(), false, "Crawled - currently not indexed", T0.AddHours(24), T0),
        new IndexChecked(Guid.NewGuid(), false, "not among 7 results", T0.AddHours(24), T0, IndexVerdicts.Missed, "serp", "key:ab12", "b-1",
            null, 0.001m, 120, CheckStages.FollowUp, 1, T0),
        new BacklinkIndexed(Guid.NewGuid(), T0.AddDays(30), T0, AlreadyIndexed: false, TimeToIndex: TimeSpan.FromHours(5)),
        Indexed(),
        new RetryRequested(Guid.NewGuid(), T0),
        Retired(),
        new CheckRequested(Guid.NewGuid(), T0),
        new RecoveryStarted(Guid.NewGuid(), FailureReasons.NotIndexed, "google", "not indexed after 3 follow-ups", T0.AddDays(1), T0),
        new PreCheckSkipped(Guid.NewGuid(), "no index checker covers this URL", T0),
        new LinkChecked(Guid.NewGuid(), "https://client.example/", true, true, "best product", "nofollow", "GET … → 200; links to the target", T0),
        new LinkMissing(Guid.NewGuid(), "https://client.example/", "GET … → 200; no link to https://client.example/", T0),
        new LinkRestored(Guid.NewGuid(), "https://client.example/", "best product", "", T0),
        new LinkRelChanged(Guid.NewGuid(), "https://client.example/", "", "nofollow sponsored", "best product", T0),
        new WithdrawalQueued(Guid.NewGuid(), "google", "in the queue of google/acme-indexing", T0),
        new BacklinkSubmitted(Guid.NewGuid(), "google", T0.AddHours(1), T0, Withdrawable: true),
        new CampaignCreated(Guid.NewGuid(), "acme", "c1", Settings, T0),
        new CampaignCreated(Guid.NewGuid(), "acme", "c2", Settings with { DripDays = 5 }, T0),
        new CampaignDripChanged(Guid.NewGuid(), 3, T0),
        new CampaignDripChanged(Guid.NewGuid(), null, T0),
        new BacklinkOrleans.Backlinks.Grains.DripSlotsReserved(Guid.NewGuid(), 2, T0.AddHours(3), 1_000, 1_020, T0),
        new BacklinkWaiting(Guid.NewGuid(), "submit", "drip-feed: released at …", T0.AddHours(1), T0, Gate: "drip:2"),
        new SubmissionAttempted(Guid.NewGuid(), "vendor", "vendor:ab12", "b-7", 200, true, "task t1", 40, T0, SubmissionOutcomes.Accepted, Cost: 0.02m),
        new CampaignPaused(Guid.NewGuid(), T0),
        new CampaignResumed(Guid.NewGuid(), T0),
        new CampaignCancelled(Guid.NewGuid(), T0),
        new SitemapQueued(Guid.NewGuid(), "https://example.com/sitemap-2.xml", T0),
        new SitemapImported(Guid.NewGuid(), "https://example.com/sitemap-2.xml", 120, 100, 15, 5, null, T0),
    ];

    private static readonly EventTypeRegistry Registry = new(BacklinksModule.EventTypes.Select(t => new EventTypeRegistration(t.Alias, t.Type)));

    public static TheoryData<string> Aliases() => [.. BacklinksModule.EventTypes.Select(t => t.Alias)];

    [Theory]
    [MemberData(nameof(Aliases))]
    public void EveryEventType_RoundTripsThroughItsAlias(string alias)
    {
        var type = BacklinksModule.EventTypes.Single(t => t.Alias == alias).Type;
        var samples = Samples.Where(s => s.GetType() == type).ToList();
        Assert.NotEmpty(samples);

        foreach (var sample in samples)
        {
            var stored = Registry.ToEventData(sample);
            var read = Registry.Deserialize(stored.Type, stored.Data);

            Assert.Equal(alias, stored.Type);
            Assert.IsType(type, read);
            Assert.Equal(stored.Data, JsonSerializer.Serialize(read, type, EventTypeRegistry.JsonOptions));
            Assert.Equal(sample.EventId, read.EventId);
        }
    }

    [Fact]
    public void AnAttemptStoredBeforeOutcomesWereRecorded_StillReads_AndCountsByItsAcceptance()
    {
        const string old = """{"eventId":"6f1c2b8e-3c1d-4f7a-9a55-0d2d8f1b7e10","channel":"indexnow","credentialFingerprint":"key:ab12","batchId":"b","status":202,"accepted":true,"errorExcerpt":null,"durationMs":12,"at":"2026-11-24T09:00:00+00:00"}""";
        var read = Assert.IsType<SubmissionAttempted>(Registry.Deserialize("backlink.submission-attempted.v1", old));
        Assert.Equal((null, null, true), (read.Outcome, read.HoldUntil, read.CountsAsSend));
    }

    [Fact]
    public void EveryEventTypeOfTheModule_IsRegistered_WithAUniqueVersionedAlias()
    {
        var declared = typeof(BacklinksModule).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t)).ToHashSet();
        Assert.Equal(declared.OrderBy(t => t.Name), BacklinksModule.EventTypes.Select(t => t.Type).OrderBy(t => t.Name));
        Assert.All(BacklinksModule.EventTypes, t => Assert.Matches(@"^[a-z]+\.[a-z-]+\.v\d+$", t.Alias));
        Assert.Equal(BacklinksModule.EventTypes.Count, BacklinksModule.EventTypes.Select(t => t.Alias).Distinct().Count());
    }
}
