using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>A cluster of its own: this test kills the silo of a quota grain while its request is on the wire.</summary>
public sealed class SiloCrashTests : IAsyncLifetime
{
    private readonly TwoSilos cluster = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task InitializeAsync() => cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        cluster.Sandbox.IndexNow.BeforeAnswer = null;
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task ASiloKilledBetweenReservationAndAnswer_SpendsNoQuotaTwice_LosesNoUrl_AndSendsNoUrlTwiceWithin24Hours()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync();
        const string host = "crash.example";
        var key = cluster.AddKey(tenant, host);
        var held = new TaskCompletionSource<IndexNowSubmission>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Sandbox.IndexNow.BeforeAnswer = async submission =>
        {
            if (submission.Key == key && held.TrySetResult(submission))
                await release.Task; // the request arrived; its answer never leaves while the sender dies
        };

        var urls = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 1_500).Select(i => $"https://{host}/post/{i}"));
        var inFlight = await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var sender = TestCredentials.AskedFrom[tenant]; // only the quota grain reads the tenant's key secrets
        var before = await cluster.IndexNowQuota(tenant, host).GetQuotaAsync();
        Assert.Equal(inFlight.Urls.Count, before.Reserved); // reserved (and persisted) before it was sent

        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(sender)));

        // The survivor's activation finds what was in flight (the held batch, and any later batch that was on the wire
        // behind it): outcome unknown, its quota counted, its URLs held. Every other URL (queued in the dead
        // activation's memory) comes back from its backlink and goes out once.
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") + await UnknownAttemptsAsync(tenant) == urls.Count
                && (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == AcceptedUrls(key).Count,
            TimeSpan.FromMinutes(3), async () => $"held {inFlight.Urls.Count}; {string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; "
                + $"{await UnknownAttemptsAsync(tenant)} unknown; quota {SubmissionCluster.Describe(await cluster.IndexNowQuota(tenant, host).GetQuotaAsync())}; requests: "
                + string.Join(" ", cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key).Select(s => $"{s.At:HH:mm:ss}/{s.Status}/{s.Urls.Count}")));
        var quota = await cluster.IndexNowQuota(tenant, host).GetQuotaAsync();
        Assert.Equal((1_500, 0), (quota.Windows[0].Used, quota.Reserved)); // what was in flight counts as spent; nothing twice
        var accepted = AcceptedUrls(key);
        Assert.Equal(accepted.Count, accepted.Distinct().Count()); // no URL twice
        Assert.Empty(accepted.Intersect(inFlight.Urls));              // no held URL sent again within 24 h
        var unknown = await UnknownAttemptsAsync(tenant);
        Assert.True(unknown >= inFlight.Urls.Count, $"the held batch's {inFlight.Urls.Count} URLs are unknown; {unknown} are");
        Assert.Equal(unknown, (await cluster.StatesAsync(tenant)).GetValueOrDefault("validated"));

        // A day later the held URLs may go again, and do, once each.
        await cluster.JumpToAsync(inFlight.At.AddHours(24).AddMinutes(1));
        await SubmissionCluster.WaitUntilAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 1_500,
            TimeSpan.FromMinutes(3), async () => string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}")));
        var resent = cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key && s.Accepted && s.At >= inFlight.At.AddHours(24)).ToList();
        Assert.Equal(urls.Select(u => u.Value).Except(accepted).Order(), resent.SelectMany(s => s.Urls).Order()); // the held ones, once each
    }

    private List<string> AcceptedUrls(string key) =>
        [.. cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key && s.Accepted).SelectMany(s => s.Urls)];

    /// <summary>How many of the tenant's backlinks recorded an attempt whose outcome is unknown.</summary>
    private Task<long> UnknownAttemptsAsync(string tenant) =>
        cluster.BacklinksWithEventAsync(tenant, "backlink.submission-attempted.v1", "\"outcome\":\"unknown\"");
}
