using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Lane;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>What the IndexNow channel does when the engine refuses: 429 storms, a wrong key, an unexpected 422, a rival activation.</summary>
[Collection(nameof(OneSilo))]
public sealed class ChannelFailureTests(OneSilo cluster) : IDisposable
{
    [Fact]
    public async Task A429Storm_BacksOff_WithGrowingPauses_AndSmallerBatches_ThenGrowsBack_AndSendsEveryUrlOnce()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var host = $"storm-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host);
        cluster.Sandbox.IndexNow.RespondNext(9, 429); // three sends of three attempts each (two retries inside a send)

        await cluster.QueueWhileTheClockStandsAsync(tenant, campaign, host, Enumerable.Range(0, 2_500).Select(i => $"https://{host}/post/{i}"));
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 2_500,
            TimeSpan.FromMinutes(2), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));

        var requests = Requests(key);
        var refused = requests.TakeWhile(r => r.Status == 429).ToList();
        Assert.Equal(9, refused.Count);
        Assert.Equal([1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 500, 500, 500], refused.Select(r => r.Urls.Count));
        // Between sends the key waits (2 s, then 4 s, with jitter in the upper half); within a send only briefly.
        Assert.True(refused[3].At - refused[2].At >= TimeSpan.FromSeconds(1), $"{refused[3].At - refused[2].At}");
        Assert.True(refused[6].At - refused[5].At >= TimeSpan.FromSeconds(2), $"{refused[6].At - refused[5].At}");
        var accepted = requests.Where(r => r.Accepted).ToList();
        Assert.Equal(250, accepted[0].Urls.Count); // halved twice after repeated 429s
        Assert.Contains(accepted.Skip(1), r => r.Urls.Count == 1_000); // and grown back
        Assert.Equal(2_500, accepted.SelectMany(r => r.Urls).Distinct().Count());
        Assert.Equal(2_500, accepted.Sum(r => r.Urls.Count));
        var quota = await cluster.IndexNowQuota(tenant, host).GetQuotaAsync();
        Assert.Equal((2_500, 0, 1_000), (quota.Windows[0].Used, quota.Reserved, quota.BatchSize));
    }

    [Fact]
    public async Task ALongRetryAfter_IsScheduledByTheKey_NotWaitedInsideTheSend()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var host = $"later-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host);
        cluster.Sandbox.IndexNow.RespondNext(1, 429, TimeSpan.FromSeconds(20));

        await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 10).Select(i => $"https://{host}/post/{i}"));
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 10,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));

        var requests = Requests(key);
        Assert.Equal([429, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(20), $"{requests[1].At - requests[0].At}");
    }

    [Fact]
    public async Task AnEngineTooSlowToAnswer_LeavesTheOutcomeUnknown_TheKeyPauses_AndThoseUrlsAreNotSentAgain()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var host = $"slow-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host);
        cluster.Sandbox.IndexNow.Latency = TimeSpan.FromSeconds(12); // past the 10 s request timeout: the engine takes it, late
        try
        {
            await cluster.QueueWhileTheClockStandsAsync(tenant, campaign, host, Enumerable.Range(0, 5).Select(i => $"https://{host}/slow/{i}"));
            await SubmissionCluster.WaitUntilAsync(async () => (await cluster.IndexNowQuota(tenant, host).GetQuotaAsync()).State == QuotaStates.BackingOff,
                TimeSpan.FromSeconds(60), async () => SubmissionCluster.Describe(await cluster.IndexNowQuota(tenant, host).GetQuotaAsync()));
        }
        finally
        {
            cluster.Sandbox.IndexNow.Latency = TimeSpan.Zero;
        }
        var quota = await cluster.IndexNowQuota(tenant, host).GetQuotaAsync();
        Assert.Equal((5, 0), (quota.Windows[0].Used, quota.Reserved)); // it may have been spent: counted

        var later = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 5).Select(i => $"https://{host}/later/{i}"));
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 5,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        await Task.Delay(2_000);
        // Only the later URLs were sent again; the slow request's URLs are held for a day, not failed.
        Assert.Equal(later.Select(u => u.Value).Order(), Requests(key).Where(r => r.Accepted).SelectMany(r => r.Urls).Order());
        Assert.Equal(5, (await cluster.StatesAsync(tenant)).GetValueOrDefault("validated"));
    }

    [Fact]
    public async Task AWrongKeyFile_Gets403_TheKeyIsInvalid_UrlsMoveToTheirNextChannelOrFail_AndAFixedKeyRecovers()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync("indexnow", "vendor");
        var host = $"wrong-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host, serveKeyFile: false);
        cluster.Sandbox.Site(host).KeyFile(key, content: "not-the-key-at-all");
        var urls = await cluster.CollectAsync(tenant, campaign,
            Enumerable.Range(0, 10).Select(i => $"https://{host}/post/{i}").Concat(Enumerable.Range(0, 10).Select(i => $"https://{host}/also-vendor/{i}")));

        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("failed:key-invalid") == 10,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        var quota = await cluster.IndexNowQuota(tenant, host).GetQuotaAsync();
        Assert.Equal(QuotaStates.Invalid, quota.State);
        Assert.Contains("403", quota.StateDetail);
        Assert.Equal(0, quota.Windows[0].Used);
        var rerouted = await cluster.Grains.GetGrain<Backlinks.Contracts.IBacklinkGrain>($"{tenant}/{urls[^1].Sha256}").GetAsync();
        Assert.Equal("validated", rerouted!.State);
        Assert.Equal(["vendor"], rerouted.Channels!);
        Assert.Equal(10, (await cluster.StatesAsync(tenant)).GetValueOrDefault("validated"));

        // Further URLs are refused without another request while the key is invalid.
        await cluster.CollectAsync(tenant, campaign, [$"https://{host}/post/late"]);
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("failed:key-invalid") == 11,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        Assert.Equal([403], Requests(key).Select(r => r.Status));

        // The user fixes the file and verifies the key again: the key is usable again.
        cluster.Sandbox.Site(host).KeyFile(key);
        TestCredentials.Reverify(tenant, host, cluster.Clock.GetUtcNow());
        await cluster.IndexNowQuota(tenant, host).WakeAsync(); // as the directory's change listener does once a verification is stored
        await cluster.CollectAsync(tenant, campaign, [$"https://{host}/post/after-fix"]);
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 1,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        Assert.Equal(QuotaStates.Ok, (await cluster.IndexNowQuota(tenant, host).GetQuotaAsync()).State);
    }

    [Fact]
    public async Task AnOutOfFolderUrlInABatch_Gets422_TheBatchIsBisected_AndOnlyThatUrlIsRejected()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var host = $"folder-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host); // the key file at the root: the whole host is covered
        cluster.PauseClock();
        try
        {
            var urls = await cluster.CollectAsync(tenant, campaign,
                Enumerable.Range(0, 63).Select(i => $"https://{host}/blog/{i}").Append($"https://{host}/shop/cart"));
            await SubmissionCluster.WaitUntilAsync(async () => (await cluster.IndexNowQuota(tenant, host).GetQuotaAsync()).Queued == 64,
                TimeSpan.FromSeconds(30), async () => $"{(await cluster.IndexNowQuota(tenant, host).GetQuotaAsync()).Queued} queued");

            // While they wait, the key moves into /blog/: the queued batch now holds one URL outside its folder.
            cluster.Sandbox.Site(host).KeyFile(key, $"/blog/{key}.txt");
            TestCredentials.Move(tenant, host, $"https://{host}/blog/{key}.txt", cluster.Clock.GetUtcNow());
            await cluster.IndexNowQuota(tenant, host).WakeAsync();
        }
        finally
        {
            cluster.ResumeClock();
        }

        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)) is var s
                && s.GetValueOrDefault("submitted") == 63 && s.GetValueOrDefault("failed:channel-rejected") == 1,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        var requests = Requests(key);
        Assert.Equal([64, 32, 16, 8, 4, 2, 1], requests.Where(r => r.Status == 422).Select(r => r.Urls.Count));
        Assert.All(requests.Where(r => r.Status == 422), r => Assert.Contains($"https://{host}/shop/cart", r.Urls));
        var accepted = requests.Where(r => r.Accepted).SelectMany(r => r.Urls).ToList();
        Assert.Equal(63, accepted.Count);
        Assert.Equal(63, accepted.Distinct().Count());
        Assert.DoesNotContain($"https://{host}/shop/cart", accepted);
    }

    [Fact]
    public async Task ARivalActivationsLedgerEvents_RefuseOurStaleReservation_AndNoQuotaIsSpentTwice()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        var host = $"rival-{Guid.NewGuid():N}"[..14] + ".example";
        var key = cluster.AddKey(tenant, host);
        var grain = cluster.IndexNowQuota(tenant, host);
        cluster.PauseClock(); // fewer than a batch: nothing leaves before the clock moves
        try
        {
            await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 600).Select(i => $"https://{host}/post/{i}"));
            await SubmissionCluster.WaitUntilAsync(async () => (await grain.GetQuotaAsync()).Queued == 600,
                TimeSpan.FromSeconds(30), async () => $"{(await grain.GetQuotaAsync()).Queued} queued");

            // Another activation of the same quota (membership churn) sent 9,950 URLs today and recorded it in the ledger.
            await AppendRivalSpendingAsync(tenant, host, 9_950);
        }
        finally
        {
            cluster.ResumeClock();
        }

        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 50,
            TimeSpan.FromMinutes(1), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        await Task.Delay(3_000); // a few more pump ticks: nothing else may go out
        var requests = Requests(key);
        Assert.Equal(50, requests.Where(r => r.Accepted).Sum(r => r.Urls.Count));
        Assert.All(requests, r => Assert.True(r.Urls.Count <= 50, $"a request of {r.Urls.Count} URLs left on the stale ledger"));
        var quota = await grain.GetQuotaAsync();
        Assert.Equal((10_000, 0, QuotaStates.Exhausted), (quota.Windows[0].Used, quota.Reserved, quota.State));
        Assert.Equal(550, (await cluster.StatesAsync(tenant)).GetValueOrDefault("validated")); // waiting for tomorrow
    }

    /// <summary>
    /// Appends what a rival activation would have: a reservation of <paramref name="urls"/> other URLs, their accepted
    /// answer and its acknowledgement, at the stream's current version (the quota grain's view is now stale).
    /// </summary>
    private async Task AppendRivalSpendingAsync(string tenant, string host, int urls)
    {
        var services = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress);
        var store = services.GetRequiredService<IEventStore>();
        var registry = services.GetRequiredService<EventTypeRegistry>();
        var stream = $"quota/{QuotaGrainKeys.Of(tenant, "indexnow", host)}";
        var version = (await store.ReadStreamAsync(stream)) is { Count: > 0 } stored ? stored[^1].Version : 0;
        var now = cluster.Clock.GetUtcNow();
        var credential = TestCredentials.Of(tenant, host);
        var items = Enumerable.Range(0, urls).Select(i => new LedgerItem($"rival-{i}", $"https://{host}/rival/{i}", TimeSpan.FromHours(1))).ToList();
        IQuotaEvent[] events =
        [
            new QuotaReserved(Guid.NewGuid(), "b-rival", items, credential.Id, credential.Fingerprint, now),
            new QuotaSettled(Guid.NewGuid(), "b-rival", new RequestAnswer(200, Outcomes.Accepted, null, null, 40, null, urls),
                new PaceState(BatchSize: 1_000, Fingerprint: credential.Fingerprint), now),
            new AnswersAcknowledged(Guid.NewGuid(), [new Acknowledgement($"b-rival:{Outcomes.Accepted}", null)], now),
        ];
        var appended = await store.AppendAsync(stream, version, [.. events.Select(e => registry.ToEventData(e))]);
        Assert.Equal(AppendStatus.Appended, appended.Status);
    }

    private List<IndexNowSubmission> Requests(string key) => [.. cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key)];

    public void Dispose()
    {
        cluster.ResumeClock();
    }
}
