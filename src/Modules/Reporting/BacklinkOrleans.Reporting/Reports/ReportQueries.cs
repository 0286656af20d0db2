using System.Data.Common;
using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>Reports from the read models the "reporting" subscription keeps: one pass over the scope's backlinks' facts.</summary>
internal sealed class ReportQueries(IReadModelDatabase database, TimeProvider time)
{
    private const string MembersFacts = "SELECT DISTINCT b.url_hash, b.facts FROM report_memberships m JOIN report_backlinks b "
        + "ON b.tenant_id = m.tenant_id AND b.url_hash = m.url_hash WHERE m.tenant_id = @tenant AND m.campaign_id IN ";

    /// <summary>The report of one campaign; null when the tenant has no such campaign (or the subscription has not seen it yet).</summary>
    public Task<CampaignReport?> CampaignAsync(string tenant, string campaignId, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            var campaigns = await CampaignsAsync(connection, tenant, "campaign_id = @key", campaignId, ct);
            if (campaigns.Count == 0)
                return null;
            var c = campaigns[0];
            var builder = new ReportBuilder(new ReportScope("campaign", c.Id, c.Name, c.Client, [c.Id]), time.GetUtcNow(), c.FinishedAt);
            await AddFactsAsync(connection, tenant, "(@key)", campaignId, builder, ct);
            return builder.Build();
        }, cancellationToken);

    /// <summary>The report of every campaign of a client; null when the tenant has no campaign for that client.</summary>
    public Task<CampaignReport?> ClientAsync(string tenant, string client, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            var campaigns = await CampaignsAsync(connection, tenant, "client = @key", client, ct);
            if (campaigns.Count == 0)
                return null;
            var finished = campaigns.All(c => c.FinishedAt is not null) ? campaigns.Max(c => c.FinishedAt) : null;
            var builder = new ReportBuilder(new ReportScope("client", client, client, client, [.. campaigns.Select(c => c.Id)]), time.GetUtcNow(), finished);
            await AddFactsAsync(connection, tenant, "(SELECT campaign_id FROM report_campaigns WHERE tenant_id = @tenant AND client = @key)", client, builder, ct);
            return builder.Build();
        }, cancellationToken);

    /// <summary>Every stored fact of a tenant's backlinks (the audit's read-model check compares them with a replay).</summary>
    public Task<Dictionary<(string Tenant, string Hash), string>> AllFactsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            var all = new Dictionary<(string, string), string>();
            await using var command = connection.Command("SELECT tenant_id, url_hash, facts FROM report_backlinks");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                all[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
            return all;
        }, cancellationToken);

    private sealed record CampaignRow(string Id, string Name, string Client, DateTimeOffset? FinishedAt);

    private static async Task<List<CampaignRow>> CampaignsAsync(DbConnection connection, string tenant, string where, string key, CancellationToken ct)
    {
        await using var command = connection.Command($"SELECT campaign_id, name, client, finished_at FROM report_campaigns WHERE tenant_id = @tenant AND {where} ORDER BY campaign_id")
            .With("tenant", tenant).With("key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<CampaignRow>();
        while (await reader.ReadAsync(ct))
            rows.Add(new CampaignRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), UnixTime.FromMicroseconds(reader.GetNullableInt64(3))));
        return rows;
    }

    private static async Task AddFactsAsync(DbConnection connection, string tenant, string campaigns, string key, ReportBuilder builder, CancellationToken ct)
    {
        await using var command = connection.Command(MembersFacts + campaigns).With("tenant", tenant).With("key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            builder.Add(ReportJson.Read(reader.GetString(1)));
    }
}
