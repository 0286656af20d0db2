using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.Tests.Checks;

/// <summary>
/// URL Inspection as the checker of the URLs a tenant's service account owns, and recovery through the next covering
/// channel: the real Google.Apis.Auth token flow and our clients against the Sandbox's Search Console over HTTPS.
/// </summary>
[Collection(nameof(IndexCheckSilo))]
public sealed class InspectionCheckTests(IndexCheckSilo cluster)
{
    private GoogleSimulation Google => cluster.Sandbox.Google;

    /// <summary>
    /// A tenant over <paramref name="channels"/> with an IndexNow key for <c>www.{domain}</c>, a service account owning
    /// <c>sc-domain:{domain}</c> (Google's Indexing API turned on when <paramref name="googleOn"/>) and a SERP key.
    /// </summary>
    private async Task<(string Tenant, string Campaign, string Host)> TenantAsync(bool googleOn, params string[] channels)
    {
        var (tenant, campaign) = await cluster.NewCampaignAsync(channels);
        var domain = $"owned-{Guid.NewGuid():N}"[..14] + ".example";
        var host = "www." + domain;
        cluster.AddKey(tenant, host);
        var json = Google.CreateServiceAccount($"p-{Guid.NewGuid():N}"[..12]);
        Google.AddOwner($"sc-domain:{domain}", GoogleSimulation.EmailOf(json));
        TestCredentials.AddGoogle(tenant, json, $"sc-domain:{domain}");
        TestCredentials.Switch(tenant, CredentialKinds.Google, googleOn);
        TestCredentials.AddSerp(tenant, cluster.Sandbox.Serp.CreateApiKey());
        return (tenant, campaign, host);
    }

    private async Task<string> SeenAsync(string tenant, string host, params string[] urls) =>
        $"{string.Join(", ", (await cluster.StatesAsync(tenant)).Select(s => $"{s.Key}={s.Value}"))}; inspections "
        + $"{string.Join(", ", Google.Inspections.Where(i => i.InspectionUrl?.Contains(host, StringComparison.Ordinal) == true).Select(i => $"{i.At:MM-dd HH:mm} {i.Status} {i.CoverageState}"))}; "
        + $"now {cluster.Clock.GetUtcNow():MM-dd HH:mm:ss}; "
        + string.Join("; ", await Task.WhenAll(urls.Select(async u => await cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{UrlNormalizer.Normalize(u).Sha256}").GetAsync() is { } v
            ? $"{v.State} next {v.NextStep} at {v.NextStepAt:MM-dd HH:mm:ss} waiting {v.WaitingFor}" : "none")));

    [Fact]
    public async Task AnOwnedUrl_IsCheckedByUrlInspection_NotTheSerpChecker_AndIndexedWhenGoogleSaysSo()
    {
        var (tenant, campaign, host) = await TenantAsync(googleOn: false, CredentialKinds.IndexNow);
        var urls = await cluster.CollectAsync(tenant, campaign, Enumerable.Range(0, 4).Select(i => $"https://{host}/guest/{i}"));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 4, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, host));
        // Before submission: "URL is unknown to Google" (a definite no) → submitted through IndexNow, which Google's index takes in 30 minutes.
        Assert.All(urls, u => Assert.Contains(Google.Inspections, i => i.InspectionUrl == u.Value && i.CoverageState == "URL is unknown to Google"));

        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddHours(1).AddMinutes(1));
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("indexed") == 4, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, host));

        Assert.DoesNotContain(cluster.Sandbox.Serp.Queries, q => q.Query?.Contains(host, StringComparison.Ordinal) == true);
        Assert.Equal(4, await cluster.BacklinksWithEventAsync(tenant, "backlink.index-checked.v1", "\"checker\":\"inspection\"", "Submitted and indexed"));
    }

    [Fact]
    public async Task NotIndexedAfterTheLastFollowUp_ItIsSubmittedAgainThroughTheNextChannel_AndABlockingCauseFailsInstead()
    {
        var (tenant, campaign, host) = await TenantAsync(googleOn: true, CredentialKinds.IndexNow, CredentialKinds.Google);
        var (slow, blocked) = ($"https://{host}/slow", $"https://{host}/gone");
        var start = cluster.Clock.GetUtcNow();
        // Google never indexes these from IndexNow; the slow one once it comes through its own Indexing API; the other 404s.
        Google.ScriptInspection(slow, start, InspectionState.Discovered);
        Google.ScriptInspection(blocked, start, InspectionState.Discovered).ScriptInspection(blocked, start.AddHours(20), InspectionState.NotFound);
        await cluster.CollectAsync(tenant, campaign, [slow, blocked]);
        await cluster.WaitAsync(async () => (await cluster.StatesAsync(tenant)).GetValueOrDefault("submitted") == 2, TimeSpan.FromMinutes(1),
            () => SeenAsync(tenant, host));
        var accepted = cluster.Clock.GetUtcNow();

        await cluster.JumpToAsync(accepted.AddHours(1).AddMinutes(1)); // first follow-up: not indexed, one more to come
        await cluster.WaitAsync(async () => await cluster.BacklinksWithEventAsync(tenant, "backlink.index-checked.v1", "\"stage\":\"follow-up\"") == 2,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, host, slow, blocked));
        Google.ScriptInspection(slow, accepted.AddDays(1).AddMinutes(30), InspectionState.Indexed); // what Google indexes once told directly
        await cluster.JumpToAsync(accepted.AddDays(1).AddMinutes(1)); // the last follow-up: recovery through Google, and the 404 fails
        await cluster.WaitAsync(async () => await cluster.StatesAsync(tenant) is var s
                && s.GetValueOrDefault("failed:http-not-found") == 1 && s.GetValueOrDefault("submitted") == 1
                && await cluster.BacklinksWithEventAsync(tenant, "backlink.recovery-started.v1", "\"channel\":\"google\"") == 1,
            TimeSpan.FromMinutes(1), () => SeenAsync(tenant, host, slow, blocked));
        Assert.Single(Google.Publications, p => p.Url == slow && p.Accepted);
        Assert.DoesNotContain(Google.Publications, p => p.Url == blocked);

        await cluster.JumpToAsync(cluster.Clock.GetUtcNow().AddHours(1).AddMinutes(1)); // the new schedule's first follow-up
        var backlink = cluster.Grains.GetGrain<IBacklinkGrain>($"{tenant}/{UrlNormalizer.Normalize(slow).Sha256}");
        await cluster.WaitAsync(async () => (await backlink.GetAsync())!.State == "indexed", TimeSpan.FromMinutes(1), () => SeenAsync(tenant, host, slow));
        var view = (await backlink.GetAsync())!;
        Assert.Equal("google", view.SubmittedVia);
        Assert.True(view.TimeToIndex > TimeSpan.FromDays(1), $"time to index counts from the first acceptance: {view.TimeToIndex}");
    }
}
