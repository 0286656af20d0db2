using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Lane;

namespace BacklinkOrleans.Submission.Tests.Google;

[CollectionDefinition(nameof(OneSiloBeforeDst))]
public sealed class OneSiloBeforeDstCollection : ICollectionFixture<OneSiloBeforeDst>;

/// <summary>
/// The Google Indexing API channel end to end: silos on a fake clock, the real Google.Apis.Auth token flow and our
/// Indexing client against the Sandbox's token endpoint and API over HTTPS, the lane's quota per Cloud project.
/// </summary>
public abstract class GoogleLaneTests(OneSiloBeforeDst cluster) : IDisposable
{
    protected OneSiloBeforeDst Cluster { get; } = cluster;

    protected GoogleSimulation Google => Cluster.Sandbox.Google;

    /// <summary>A tenant with a campaign over <paramref name="channels"/>, a service account of a project of its own owning <c>sc-domain:{domain}</c>, Google turned on.</summary>
    protected async Task<(string Tenant, string Campaign, string Project, string Domain, CredentialView Account)> GoogleTenantAsync(params string[] channels)
    {
        var (tenant, campaign) = await Cluster.NewCampaignAsync(channels.Length == 0 ? [CredentialKinds.Google] : channels);
        var id = Guid.NewGuid().ToString("N")[..8];
        var (project, domain) = ($"jobs-{id}", $"jobs-{id}.example");
        var json = Google.CreateServiceAccount(project);
        Google.AddOwner($"sc-domain:{domain}", GoogleSimulation.EmailOf(json));
        var account = TestCredentials.AddGoogle(tenant, json, $"sc-domain:{domain}");
        TestCredentials.Switch(tenant, CredentialKinds.Google, on: true);
        return (tenant, campaign, project, domain, account);
    }

    protected IChannelQuotaGrain Quota(string tenant, string project) => Cluster.Grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, "google", project));

    protected List<GooglePublication> Published(string project) => [.. Google.Publications.Where(p => p.Project == project)];

    protected int Accepted(string project) => Published(project).Count(p => p.Accepted);

    protected async Task<string> SeenAsync(string tenant, string project) =>
        $"{string.Join(", ", (await Cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; accepted {Accepted(project)}; "
        + $"answers {string.Join(", ", Published(project).GroupBy(p => $"{p.Status} {p.Message}").Select(g => $"{g.Key} x{g.Count()}"))}; {Google.Statistics()}; "
        + $"published twice: {string.Join(" ", Published(project).Where(p => p.Accepted).GroupBy(p => p.Url).Where(g => g.Count() > 1).Take(3).Select(g => $"{g.Key} at {string.Join(" and ", g.Select(p => p.At.ToString("MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)))}"))}; "
        + $"{SubmissionCluster.Describe(await Quota(tenant, project).GetQuotaAsync())}";

    protected static DateTimeOffset NextPacificMidnight(DateTimeOffset after) => QuotaWindow.PacificDay.NextAfter(after);

    public void Dispose()
    {
        Google.DailyPublishLimit = 200;
        Google.PerMinuteLimit = 380;
        GC.SuppressFinalize(this);
    }
}

/// <summary>The channel's answers: 429s per day and per minute, 403 ownership, token refresh, routing of a mixed campaign.</summary>
[Collection(nameof(OneSiloBeforeDst))]
public sealed class GoogleChannelTests(OneSiloBeforeDst fixture) : GoogleLaneTests(fixture)
{
    [Fact]
    public async Task APerDay429_ParksTheProjectUntilPacificMidnight_AndThenTheRestGoes()
    {
        var (tenant, campaign, project, domain, _) = await GoogleTenantAsync();
        Google.DailyPublishLimit = 20; // Google granted less than the lane believes (or the project spends elsewhere)
        try
        {
            await Cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 60).Select(i => $"https://{domain}/park/{i}"));
            await Cluster.WaitAsync(async () => (await Quota(tenant, project).GetQuotaAsync()).State == QuotaStates.Parked,
                TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));
            var parked = await Quota(tenant, project).GetQuotaAsync();
            var midnight = NextPacificMidnight(Cluster.Clock.GetUtcNow());
            Assert.Equal(midnight, parked.ParkedUntil);
            Assert.Contains("per day", Published(project).First(p => p.Status == 429).Message);
            var requestsWhenParked = Published(project).Count;
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(requestsWhenParked, Published(project).Count); // nothing is sent while parked
            Assert.Equal(20, Accepted(project));
            Assert.Equal(0, (await Cluster.StatesAsync(tenant)).Keys.Count(k => k.StartsWith("failed", StringComparison.Ordinal)));

            Google.DailyPublishLimit = 200;
            await Cluster.JumpToAsync(midnight.AddMinutes(2));
            await Cluster.WaitAsync(async () => SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 60,
                TimeSpan.FromMinutes(2), () => SeenAsync(tenant, project));
            Assert.Equal(60, Published(project).Where(p => p.Accepted).Select(p => p.Url).Distinct().Count());
        }
        finally
        {
            Google.DailyPublishLimit = 200;
        }
    }

    [Fact]
    public async Task APerMinute429_BacksOff_AndResumesTheSameDay_WithoutParking()
    {
        var (tenant, campaign, project, domain, _) = await GoogleTenantAsync();
        Google.PerMinuteLimit = 30;
        try
        {
            Cluster.PauseClock(); // the 100 URLs go as one batch request (it leaves when full), answered in the same minute
            try
            {
                await Cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 100).Select(i => $"https://{domain}/minute/{i}"));
                await Cluster.WaitAsync(async () => (await Quota(tenant, project).GetQuotaAsync()).State == QuotaStates.BackingOff,
                    TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));
            }
            finally
            {
                Cluster.ResumeClock();
            }
            var first = Published(project);
            Assert.Equal(30, first.Count(p => p.Accepted));
            Assert.All(first.Where(p => p.Status == 429), p => Assert.Contains("per minute", p.Message));
            var day = GoogleSimulation.PacificDay(Cluster.Clock.GetUtcNow());

            for (var minute = 1; minute <= 4 && SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) < 100; minute++)
            {
                await Cluster.JumpToAsync(Cluster.Clock.GetUtcNow().AddSeconds(61));
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            await Cluster.WaitAsync(async () => SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 100,
                TimeSpan.FromMinutes(2), () => SeenAsync(tenant, project));
            var accepted = Published(project).Where(p => p.Accepted).ToList();
            Assert.Equal(100, accepted.Select(p => p.Url).Distinct().Count());
            Assert.All(accepted, p => Assert.Equal(day, GoogleSimulation.PacificDay(p.At))); // the same day: backed off, not parked
            Assert.DoesNotContain(Published(project), p => p.Message?.Contains("per day", StringComparison.Ordinal) == true);
        }
        finally
        {
            Google.PerMinuteLimit = 380;
        }
    }

    [Fact]
    public async Task A403Ownership_DropsGoogleForTheUrl_ItGoesToTheNextChannelOrFailsWithGooglesReason_AndThePropertyIsFlagged()
    {
        var (tenant, campaign) = await Cluster.NewCampaignAsync(CredentialKinds.Google, CredentialKinds.IndexNow);
        var id = Guid.NewGuid().ToString("N")[..8];
        var json = Google.CreateServiceAccount($"claims-{id}");
        var claimed = $"claimed-{id}.example"; // listed on the credential, but the account is not an Owner in Search Console
        var account = TestCredentials.AddGoogle(tenant, json, $"sc-domain:{claimed}");
        TestCredentials.Switch(tenant, CredentialKinds.Google, on: true);
        var key = Cluster.AddKey(tenant, $"www.{claimed}");

        var urls = await Cluster.CollectAsync(tenant, campaign,
            Enumerable.Range(0, 3).Select(i => $"https://www.{claimed}/post/{i}").Concat(Enumerable.Range(0, 2).Select(i => $"https://blog.{claimed}/post/{i}")));
        await Cluster.WaitAsync(async () => (await Cluster.StatesAsync(tenant)) is var s
                && SubmissionCluster.Pushed(s) == 3 && s.GetValueOrDefault("failed:not-owner") == 2,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, $"claims-{id}"));

        Assert.All(Published($"claims-{id}"), p => Assert.Equal((403, "Permission denied. Failed to verify the URL ownership."), (p.Status, p.Message)));
        var viaIndexNow = await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[0].Sha256}").GetAsync();
        Assert.Equal(["indexnow"], viaIndexNow!.Channels!);
        var failed = await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[^1].Sha256}").GetAsync();
        Assert.Equal(FailureReasons.NotOwner, failed!.Reason);
        Assert.Contains("Failed to verify the URL ownership", failed.ReasonDetail);
        Assert.Contains(TestCredentials.RefusedProperties, r => r.CredentialId == account.Id && r.Property == $"sc-domain:{claimed}"
            && r.Reason.Contains("ownership", StringComparison.Ordinal));
        Assert.Equal(3, Cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key && s.Accepted).Sum(s => s.Urls.Count));

        // The property is flagged: the next URL on it goes straight to IndexNow, without asking Google.
        var later = await Cluster.CollectAsync(tenant, campaign, [$"https://www.{claimed}/post/later"]);
        await Cluster.WaitAsync(async () => SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 4,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, $"claims-{id}"));
        Assert.DoesNotContain(Google.Publications, p => p.Url == later[0].Value);
    }

    [Fact]
    public async Task ATokenThatExpiresMidCampaign_IsRefreshed_AndNoRequestIsRefusedForIt()
    {
        var (tenant, campaign, project, domain, account) = await GoogleTenantAsync();
        var email = account.Scope.ClientEmail!;
        await Cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 5).Select(i => $"https://{domain}/first/{i}"));
        await Cluster.WaitAsync(() => Task.FromResult(Accepted(project) == 5), TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));
        Assert.Equal(1, Google.TokensIssuedTo(email, GoogleSimulation.IndexingScope));

        await Cluster.JumpToAsync(Cluster.Clock.GetUtcNow().AddMinutes(70)); // the hour-long token has expired
        await Cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 5).Select(i => $"https://{domain}/second/{i}"));
        await Cluster.WaitAsync(() => Task.FromResult(Accepted(project) == 10), TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));

        Assert.Equal(2, Google.TokensIssuedTo(email, GoogleSimulation.IndexingScope)); // one at the start, one when it had expired
        Assert.DoesNotContain(Published(project), p => p.Status == 401);
    }

    [Fact]
    public async Task AMixedCampaign_IsRoutedToIndexNowGoogleOrNoChannel_AndGoogleOnlyWhereTheTenantTurnedItOn()
    {
        var (tenant, campaign, project, domain, _) = await GoogleTenantAsync(CredentialKinds.IndexNow, CredentialKinds.Google);
        var keyHost = $"keyed-{Guid.NewGuid():N}"[..15] + ".example";
        var key = Cluster.AddKey(tenant, keyHost);
        var (optedOut, optedOutCampaign) = await Cluster.NewCampaignAsync(CredentialKinds.IndexNow, CredentialKinds.Google);
        TestCredentials.AddGoogle(optedOut, Google.CreateServiceAccount($"out-{Guid.NewGuid():N}"[..12]), $"sc-domain:{domain}");

        var urls = await Cluster.CollectAsync(tenant, campaign, [$"https://{keyHost}/a", $"https://careers.{domain}/b", $"https://nobody.example/{Guid.NewGuid():N}"]);
        var notOptedIn = await Cluster.CollectAsync(optedOut, optedOutCampaign, [$"https://{domain}/c"]);
        await Cluster.WaitAsync(async () => (await Cluster.StatesAsync(tenant)) is var s
                && SubmissionCluster.Pushed(s) == 2 && s.GetValueOrDefault("failed:no-channel") == 1
                && (await Cluster.StatesAsync(optedOut)).GetValueOrDefault("failed:no-channel") == 1,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));

        Assert.Equal(["indexnow"], (await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[0].Sha256}").GetAsync())!.Channels!);
        Assert.Equal(["google"], (await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[1].Sha256}").GetAsync())!.Channels!);
        Assert.Equal([urls[0].Value], Cluster.Sandbox.IndexNow.Submissions.Where(s => s.Key == key && s.Accepted).SelectMany(s => s.Urls));
        Assert.Equal([urls[1].Value], Published(project).Where(p => p.Accepted).Select(p => p.Url));
        Assert.DoesNotContain(Google.Publications, p => p.Url == notOptedIn[0].Value);
    }

    [Fact]
    public async Task ARetiredUrlThatGoogleAccepted_IsWithdrawnWithUrlDeleted_AndItsHistoryRecordsGooglesAnswer()
    {
        var (tenant, campaign, project, domain, _) = await GoogleTenantAsync(CredentialKinds.IndexNow, CredentialKinds.Google);
        var keyHost = $"kept-{Guid.NewGuid():N}"[..14] + ".example";
        Cluster.AddKey(tenant, keyHost);
        var urls = await Cluster.CollectAsync(tenant, campaign, [$"https://{domain}/jobs/closed", $"https://{domain}/jobs/open", $"https://{keyHost}/post"]);
        await Cluster.WaitAsync(async () => SubmissionCluster.Pushed(await Cluster.StatesAsync(tenant)) == 3,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, project));

        foreach (var url in new[] { urls[0], urls[2] }) // one Google accepted, one IndexNow accepted
            Assert.True((await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{url.Sha256}").RetireAsync()).Accepted);

        await Cluster.WaitAsync(async () => await WithdrawalsRecordedAsync(tenant) == 1, TimeSpan.FromMinutes(1),
            async () => $"{await WithdrawalsRecordedAsync(tenant)} withdrawals recorded; {await SeenAsync(tenant, project)}");
        var deleted = Assert.Single(Published(project), p => p.Type == "URL_DELETED");
        Assert.Equal((urls[0].Value, 200), (deleted.Url, deleted.Status));
        Assert.Equal(2, Published(project).Count(p => p.Type == "URL_UPDATED")); // the kept URL is not withdrawn
        Assert.DoesNotContain(Cluster.Sandbox.IndexNow.Submissions, s => s.Urls.Contains(urls[2].Value) && s.At > deleted.At); // IndexNow has nothing to withdraw
        var view = await Cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{urls[0].Sha256}").GetAsync();
        Assert.True(view!.Retired);
    }

    /// <summary>Withdrawals Google accepted, as recorded in the tenant's backlink histories.</summary>
    private Task<long> WithdrawalsRecordedAsync(string tenant) =>
        Cluster.BacklinksWithEventAsync(tenant, "backlink.submission-attempted.v1", "\"withdrawal\":true", "\"outcome\":\"accepted\"");
}
