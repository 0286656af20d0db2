using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Google;

/// <summary>
/// A cluster of its own: the silo of a Google quota grain dies after Google processed part of its batch and before
/// the answer came back. The survivor reads Google's notification metadata for the orphaned request: what Google has
/// counts as accepted and is not published again; what it never received goes out once.
/// </summary>
public sealed class GoogleSiloCrashTests : IAsyncLifetime
{
    private readonly TwoSilos cluster = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GoogleSimulation Google => cluster.Sandbox.Google;

    public Task InitializeAsync() => cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        Google.HoldAnswer = null;
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task ASiloKilledWhileGoogleHoldsItsAnswer_IsReconciledFromTheNotificationMetadata_AndNoUrlIsPublishedTwice()
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync(CredentialKinds.Google);
        var id = Guid.NewGuid().ToString("N")[..8];
        var (project, domain) = ($"crash-{id}", $"crash-{id}.example");
        var json = Google.CreateServiceAccount(project);
        Google.AddOwner($"sc-domain:{domain}", GoogleSimulation.EmailOf(json));
        TestCredentials.AddGoogle(tenant, json, $"sc-domain:{domain}");
        TestCredentials.Switch(tenant, CredentialKinds.Google, on: true);
        var processed = 0;
        var held = new TaskCompletionSource<GooglePublication>(TaskCreationOptions.RunContinuationsAsynchronously);
        Google.HoldAnswer = async publication =>
        {
            // Google has the third notification of the batch (and the two before it); the parts after it are never processed.
            if (publication.Project == project && Interlocked.Increment(ref processed) == 3 && held.TrySetResult(publication))
                await release.Task;
        };

        var urls = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 20).Select(i => $"https://{domain}/crash/{i}"));
        var third = await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var quota = cluster.Grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, "google", project));
        var inFlight = (await quota.GetQuotaAsync()).Reserved;
        Assert.True(inFlight >= 3, $"the held batch is reserved before it is sent ({inFlight} reserved)");
        var received = Google.Publications.Where(p => p.Project == project && p.Accepted).Select(p => p.Url!).ToHashSet();
        Assert.Equal(3, received.Count);
        Assert.Contains(third.Url!, received);

        var sender = TestCredentials.AskedFrom[tenant];
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(sender)));
        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddMinutes(3)); // past any send's duration: the reservation is an orphan

        await cluster.WaitAsync(async () => SubmissionCluster.Pushed(await cluster.StatesAsync(tenant)) == 20,
            TimeSpan.FromMinutes(3), async () => $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; "
                + $"published {string.Join(" ", Google.Publications.Where(p => p.Project == project).Select(p => $"{p.Status}"))}; metadata reads {Google.Statistics().MetadataReads}; "
                + SubmissionCluster.Describe(await quota.GetQuotaAsync()));

        var accepted = Google.Publications.Where(p => p.Project == project && p.Accepted).Select(p => p.Url!).ToList();
        Assert.Equal(urls.Select(u => u.Value).Order(), accepted.Order()); // every URL exactly once: the three Google had were not published again
        Assert.True(Google.Statistics().MetadataReads >= inFlight, "the orphaned request was reconciled through the notification metadata");
        var windows = (await quota.GetQuotaAsync()).Windows.Single(w => w.Window == QuotaWindow.PacificDay.Name);
        Assert.Equal(20 + inFlight - 3, windows.Used); // the orphan counts whole: the lane cannot know what Google charged for parts it never answered
    }
}
