using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.IndexNow;
using Microsoft.Data.Sqlite;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>What tests do with a cluster: tenants and campaigns, credentials, collecting URLs, reading states and events.</summary>
public abstract partial class SubmissionCluster
{
    /// <summary>A new tenant with a campaign over <paramref name="channels"/>; its id and the campaign's.</summary>
    public async Task<(string Tenant, string Campaign)> NewCampaignAsync(params string[] channels)
    {
        var tenant = $"t{Guid.NewGuid():N}"[..12];
        var campaign = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<ICampaignGrain>($"{tenant}/{campaign}").CreateAsync(new CampaignSettings("test", "client",
            channels.Length == 0 ? [CredentialKinds.IndexNow] : channels, 1, [TimeSpan.FromHours(1), TimeSpan.FromDays(1)], TimeSpan.FromDays(30), 50));
        return (tenant, campaign);
    }

    /// <summary>A new tenant with a campaign of <paramref name="client"/> over <paramref name="channels"/> with these follow-ups.</summary>
    public async Task<(string Tenant, string Campaign)> NewCampaignAsync(string client, IReadOnlyList<TimeSpan> followUps, params string[] channels)
    {
        var tenant = $"t{Guid.NewGuid():N}"[..12];
        var campaign = await AddCampaignAsync(tenant, client, followUps, channels);
        return (tenant, campaign);
    }

    /// <summary>Another campaign of the tenant, for <paramref name="client"/>.</summary>
    public Task<string> AddCampaignAsync(string tenant, string client, IReadOnlyList<TimeSpan> followUps, params string[] channels) =>
        AddCampaignAsync(tenant, client, followUps, null, channels);

    /// <summary>Another campaign of the tenant, for <paramref name="client"/>, spreading its submissions over <paramref name="dripDays"/> days.</summary>
    public async Task<string> AddCampaignAsync(string tenant, string client, IReadOnlyList<TimeSpan> followUps, int? dripDays, params string[] channels)
    {
        var campaign = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<ICampaignGrain>($"{tenant}/{campaign}").CreateAsync(new CampaignSettings("test", client, channels, 1, followUps, TimeSpan.FromDays(30), 50,
            DripDays: dripDays));
        return campaign;
    }

    /// <summary>Gives the tenant an IndexNow key for <paramref name="host"/>, served by the Sandbox site (or not).</summary>
    public string AddKey(string tenant, string host, bool serveKeyFile = true, string? keyLocationPath = null)
    {
        var key = $"k{Guid.NewGuid():N}";
        if (serveKeyFile)
            Sandbox.Site(host).KeyFile(key, keyLocationPath);
        TestCredentials.Add(tenant, host, key, keyLocationPath is null ? null : $"https://{host}{keyLocationPath}");
        return key;
    }

    /// <summary>Collects the URLs into the campaign (they then route, validate and go to the quota grain by themselves).</summary>
    public async Task<IReadOnlyList<NormalizedUrl>> CollectAsync(string tenant, string campaign, IEnumerable<string> urls)
    {
        var normalized = urls.Select(UrlNormalizer.Normalize).ToList();
        foreach (var chunk in normalized.Chunk(200))
        {
            var outcomes = await Task.WhenAll(chunk.Select(u =>
                Grains.GetGrain<IBacklinkGrain>($"{tenant}/{u.Sha256}").CollectAsync(new CollectBacklink(u.Value, campaign, null, null, null, 50))));
            Assert.All(outcomes, o => Assert.Equal(CollectResult.Collected, o.Result));
        }
        return normalized;
    }

    /// <summary>
    /// Collects URLs of one host with the clock stopped, so they are all with the key before its linger ends (a full
    /// batch still leaves at once, and waits in flight for any retry delay until the clock moves again).
    /// </summary>
    public async Task QueueWhileTheClockStandsAsync(string tenant, string campaign, string host, IEnumerable<string> urls)
    {
        PauseClock();
        try
        {
            var collected = await CollectAsync(tenant, campaign, urls);
            await WaitUntilAsync(async () => (await IndexNowQuota(tenant, host).GetQuotaAsync()) is var q && q.Queued + q.Reserved + q.Windows[0].Used >= collected.Count,
                TimeSpan.FromSeconds(60), async () => $"{Describe(await IndexNowQuota(tenant, host).GetQuotaAsync())} for {collected.Count} URLs");
        }
        finally
        {
            ResumeClock();
        }
    }

    /// <summary>The quota grain of the tenant's IndexNow key for <paramref name="host"/> (IndexNow's quota key is the key's host).</summary>
    public IChannelQuotaGrain IndexNowQuota(string tenant, string host) =>
        Grains.GetGrain<IChannelQuotaGrain>(QuotaGrainKeys.Of(tenant, IndexNowChannel.Name, host));

    /// <summary>A quota view for a failure's message (its windows are a list, which a record prints as a type name).</summary>
    public static string Describe(QuotaView quota) =>
        $"{quota with { Windows = [] }} windows: {string.Join("; ", quota.Windows)}";

    /// <summary>The tenant's backlinks per state (and reason), from the read model.</summary>
    public async Task<Dictionary<string, int>> StatesAsync(string tenant)
    {
        await using var connection = new SqliteConnection($"Data Source={SqlitePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state || coalesce(':' || reason, ''), count(*) FROM backlinks WHERE tenant_id = $t GROUP BY 1";
        command.Parameters.AddWithValue("$t", tenant);
        var states = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            states[reader.GetString(0)] = reader.GetInt32(1);
        return states;
    }

    /// <summary>
    /// Backlinks a channel accepted: submitted, or since seen indexed by a check (a tenant with a Google service account
    /// has URL Inspection for its properties, which follows up on every submission).
    /// </summary>
    public static int Pushed(IReadOnlyDictionary<string, int> states) => states.GetValueOrDefault("submitted") + states.GetValueOrDefault("indexed");

    /// <summary>Polls until <paramref name="done"/> holds (a real-time deadline); fails with what was last seen.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, Func<Task<string>> seen)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await done())
                return;
            await Task.Delay(250);
        }
        Assert.Fail($"timed out; last seen: {await seen()}");
    }

    /// <summary>How many of the tenant's backlinks recorded an event of <paramref name="type"/> whose JSON contains every one of <paramref name="fragments"/>.</summary>
    public async Task<long> BacklinksWithEventAsync(string tenant, string type, params string[] fragments)
    {
        await using var connection = new SqliteConnection($"Data Source={SqlitePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(DISTINCT stream_id) FROM events WHERE stream_id LIKE $prefix AND type = $type"
            + string.Concat(fragments.Select((_, i) => $" AND data LIKE $f{i}"));
        command.Parameters.AddWithValue("$prefix", $"backlink/{tenant}/%");
        command.Parameters.AddWithValue("$type", type);
        for (var i = 0; i < fragments.Length; i++)
            command.Parameters.AddWithValue($"$f{i}", $"%{fragments[i]}%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
