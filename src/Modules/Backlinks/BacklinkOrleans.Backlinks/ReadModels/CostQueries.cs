using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>What campaigns and clients cost: the campaign_costs read model (paid submissions and checks), within one tenant.</summary>
internal sealed class CostQueries(IReadModelDatabase database)
{
    /// <summary>Every campaign of the tenant with what it cost (campaigns that cost nothing included, at zero).</summary>
    public Task<IReadOnlyList<CampaignCost>> CampaignsAsync(string tenant, string? campaignId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<CampaignCost>>(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT c.campaign_id, c.name, c.client, k.channel, k.kind, k.units, k.cost_micros FROM campaigns c "
                    + "LEFT JOIN campaign_costs k ON k.tenant_id = c.tenant_id AND k.campaign_id = c.campaign_id WHERE c.tenant_id = @tenant"
                    + (campaignId is null ? "" : " AND c.campaign_id = @id") + " ORDER BY c.created_at, c.campaign_id, k.channel, k.kind")
                .With("tenant", tenant);
            if (campaignId is not null)
                command.With("id", campaignId);
            var result = new List<(string Id, string Name, string Client, List<CostLine> Lines)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (result.Count == 0 || result[^1].Id != reader.GetString(0))
                    result.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), []));
                if (!reader.IsDBNull(3))
                    result[^1].Lines.Add(new CostLine(reader.GetString(3), reader.GetString(4), reader.GetInt64(5), CostKinds.FromMicros(reader.GetInt64(6))));
            }
            return [.. result.Select(c => new CampaignCost(c.Id, c.Name, c.Client, c.Lines.Sum(l => l.Cost), c.Lines))];
        }, cancellationToken);

    /// <summary>What each client's campaigns cost, clients in order of name.</summary>
    public async Task<IReadOnlyList<ClientCost>> ClientsAsync(string tenant, CancellationToken cancellationToken) =>
        [.. (await CampaignsAsync(tenant, null, cancellationToken)).GroupBy(c => c.Client, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ClientCost(g.Key, g.Sum(c => c.Total),
                g.SelectMany(c => c.Lines).Where(l => l.Kind == CostKinds.Submission).Sum(l => l.Units),
                g.SelectMany(c => c.Lines).Where(l => l.Kind == CostKinds.Check).Sum(l => l.Units), [.. g]))];
}
