using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>Filters of a campaign's backlink list.</summary>
internal sealed record BacklinkFilter(string? State, string? Reason, string? Host, int Page, int PageSize);

/// <summary>Reads of the campaigns and backlinks read models, always within one tenant.</summary>
internal sealed class BacklinkQueries(IReadModelDatabase database)
{
    private const string CampaignColumns = "campaign_id, name, client, status, settings, created_at";

    public Task<IReadOnlyList<CampaignView>> ListCampaignsAsync(string tenant, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => ListCampaignsAsync(connection, tenant, ct), cancellationToken);

    private static async Task<IReadOnlyList<CampaignView>> ListCampaignsAsync(System.Data.Common.DbConnection connection, string tenant, CancellationToken cancellationToken)
    {
        var counters = await CountersAsync(connection, tenant, null, cancellationToken);
        await using var command = connection.Command($"SELECT {CampaignColumns} FROM campaigns WHERE tenant_id = @tenant ORDER BY created_at, campaign_id")
            .With("tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<CampaignView>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add(ReadCampaign(reader, counters.GetValueOrDefault(reader.GetString(0)) ?? []));
        return result;
    }

    public Task<CampaignView?> GetCampaignAsync(string tenant, string campaignId, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => GetCampaignAsync(connection, tenant, campaignId, ct), cancellationToken);

    private static async Task<CampaignView?> GetCampaignAsync(System.Data.Common.DbConnection connection, string tenant, string campaignId,
        CancellationToken cancellationToken)
    {
        var counters = await CountersAsync(connection, tenant, campaignId, cancellationToken);
        await using var command = connection.Command($"SELECT {CampaignColumns} FROM campaigns WHERE tenant_id = @tenant AND campaign_id = @id")
            .With("tenant", tenant).With("id", campaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCampaign(reader, counters.GetValueOrDefault(campaignId) ?? []) : null;
    }

    public Task<BacklinkPage> ListBacklinksAsync(string tenant, string campaignId, BacklinkFilter filter, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => ListBacklinksAsync(connection, tenant, campaignId, filter, ct), cancellationToken);

    private static async Task<BacklinkPage> ListBacklinksAsync(System.Data.Common.DbConnection connection, string tenant, string campaignId,
        BacklinkFilter filter, CancellationToken cancellationToken)
    {
        var where = "m.tenant_id = @tenant AND m.campaign_id = @campaign"
            + (filter.State is null ? "" : " AND b.state = @state")
            + (filter.Reason is null ? "" : " AND b.reason = @reason")
            + (filter.Host is null ? "" : " AND b.host = @host");
        const string from = "FROM backlink_campaigns m JOIN backlinks b ON b.tenant_id = m.tenant_id AND b.url_hash = m.url_hash";

        await using var count = Filtered(connection.Command($"SELECT count(*) {from} WHERE {where}"));
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        await using var page = Filtered(connection.Command(
                $"SELECT b.url_hash, b.url, b.host, b.state, b.reason, b.retired, b.collected_at, b.updated_at, b.next_action_at, b.waiting_for {from} "
                + $"WHERE {where} ORDER BY b.collected_at, b.url_hash LIMIT @limit OFFSET @offset"))
            .With("limit", (long)filter.PageSize).With("offset", (long)(filter.Page - 1) * filter.PageSize);
        var items = new List<BacklinkListItem>();
        await using var reader = await page.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(new BacklinkListItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetNullableString(4), reader.GetInt64(5) != 0, UnixTime.FromMicroseconds(reader.GetInt64(6)),
                UnixTime.FromMicroseconds(reader.GetInt64(7)), UnixTime.FromMicroseconds(reader.GetNullableInt64(8)), reader.GetNullableString(9)));
        return new BacklinkPage(items, filter.Page, filter.PageSize, total);

        System.Data.Common.DbCommand Filtered(System.Data.Common.DbCommand command)
        {
            command.With("tenant", tenant).With("campaign", campaignId);
            if (filter.State is not null) command.With("state", filter.State);
            if (filter.Reason is not null) command.With("reason", filter.Reason);
            if (filter.Host is not null) command.With("host", filter.Host);
            return command;
        }
    }

    /// <summary>
    /// Which of <paramref name="hashes"/> the tenant already has, and whether each is already in <paramref name="campaignId"/>
    /// (the import's first look; the backlink grain remains the judge of anything it finds).
    /// </summary>
    public Task<Dictionary<string, bool>> ExistingAsync(string tenant, string campaignId, IReadOnlyList<string> hashes, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT b.url_hash, (SELECT count(*) FROM backlink_campaigns m WHERE m.tenant_id = b.tenant_id "
                    + "AND m.url_hash = b.url_hash AND m.campaign_id = @campaign) ")
                .With("tenant", tenant).With("campaign", campaignId);
            command.CommandText += BulkStatements.TenantRowsByHash(command, database.Dialect, "backlinks", "b", hashes);
            var found = new Dictionary<string, bool>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                found[reader.GetString(0)] = reader.GetInt64(1) > 0;
            return found;
        }, cancellationToken);

    private static async Task<Dictionary<string, List<CampaignCounter>>> CountersAsync(System.Data.Common.DbConnection connection,
        string tenant, string? campaignId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT campaign_id, state, reason, count FROM campaign_counters WHERE tenant_id = @tenant"
                + (campaignId is null ? "" : " AND campaign_id = @id") + " AND count <> 0 ORDER BY campaign_id, state, reason")
            .With("tenant", tenant);
        if (campaignId is not null)
            command.With("id", campaignId);
        var result = new Dictionary<string, List<CampaignCounter>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var list = result.TryGetValue(reader.GetString(0), out var existing) ? existing : result[reader.GetString(0)] = [];
            var reason = reader.GetString(2);
            list.Add(new CampaignCounter(reader.GetString(1), reason.Length == 0 ? null : reason, reader.GetInt64(3)));
        }
        return result;
    }

    private static CampaignView ReadCampaign(System.Data.Common.DbDataReader reader, List<CampaignCounter> counters)
    {
        var settings = JsonSerializer.Deserialize<CampaignSettings>(reader.GetString(4), EventTypeRegistry.JsonOptions)!;
        return new CampaignView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            CampaignSettingsMapping.ToView(settings), UnixTime.FromMicroseconds(reader.GetInt64(5)),
            counters.Sum(c => c.Count), counters);
    }
}
