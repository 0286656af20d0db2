using System.Text.Json;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>Keeps the campaigns table in step with campaign events, inside their transaction.</summary>
internal sealed class CampaignProjection(EventTypeRegistry registry) : IInlineProjection
{
    public async Task ProjectAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var stored in batch.Events.Where(e => e.StreamId.StartsWith(StreamIds.CampaignPrefix, StringComparison.Ordinal)))
        {
            var (tenant, campaignId) = StreamIds.Split(stored.StreamId, StreamIds.CampaignPrefix);
            var e = (ICampaignEvent)registry.Deserialize(stored);
            if (e is CampaignDripChanged drip)
            {
                await SetDripAsync(batch, tenant, campaignId, drip, cancellationToken);
                continue;
            }
            await using var command = e switch
            {
                CampaignCreated c => batch.Connection.Command(
                        "INSERT INTO campaigns (tenant_id, campaign_id, name, client, status, settings, created_at, updated_at) "
                        + "VALUES (@tenant, @id, @name, @client, @status, @settings, @at, @at)", batch.Transaction)
                    .With("name", c.Settings.Name).With("client", c.Settings.Client).With("status", CampaignStatuses.Active)
                    .With("settings", JsonSerializer.Serialize(c.Settings, EventTypeRegistry.JsonOptions)),
                CampaignPaused => StatusCommand(batch, CampaignStatuses.Paused),
                CampaignResumed => StatusCommand(batch, CampaignStatuses.Active),
                CampaignCancelled => StatusCommand(batch, CampaignStatuses.Cancelled),
                _ => null,
            };
            if (command is null)
                continue;
            command.With("tenant", tenant).With("id", campaignId).With("at", UnixTime.ToMicroseconds(e.At));
            await command.RunNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The settings as the campaign grain holds them after a drip change (read, changed, written back in the events' transaction).</summary>
    private static async Task SetDripAsync(ProjectionBatch batch, string tenant, string campaignId, CampaignDripChanged drip, CancellationToken cancellationToken)
    {
        await using var read = batch.Connection.Command("SELECT settings FROM campaigns WHERE tenant_id = @tenant AND campaign_id = @id", batch.Transaction)
            .With("tenant", tenant).With("id", campaignId);
        if (await read.RunScalarAsync(cancellationToken) is not string json)
            return;
        var settings = JsonSerializer.Deserialize<CampaignSettings>(json, EventTypeRegistry.JsonOptions)! with { DripDays = drip.Days };
        await using var write = batch.Connection.Command("UPDATE campaigns SET settings = @settings, updated_at = @at WHERE tenant_id = @tenant AND campaign_id = @id",
                batch.Transaction)
            .With("settings", JsonSerializer.Serialize(settings, EventTypeRegistry.JsonOptions)).With("at", UnixTime.ToMicroseconds(drip.At))
            .With("tenant", tenant).With("id", campaignId);
        await write.RunNonQueryAsync(cancellationToken);
    }

    private static System.Data.Common.DbCommand StatusCommand(ProjectionBatch batch, string status) =>
        batch.Connection.Command("UPDATE campaigns SET status = @status, updated_at = @at WHERE tenant_id = @tenant AND campaign_id = @id",
            batch.Transaction).With("status", status);
}
