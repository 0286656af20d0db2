using BacklinkOrleans.Reporting.Contracts;
using BacklinkOrleans.SharedKernel.ReadModels;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>A tenant's report branding (settings, not history: a plain row).</summary>
internal sealed class BrandingStore(IReadModelDatabase database, TimeProvider time)
{
    public Task<ReportBranding?> GetAsync(string tenant, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT agency_name, logo_url, accent_color FROM report_branding WHERE tenant_id = @tenant").With("tenant", tenant);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new ReportBranding(reader.GetString(0), reader.GetNullableString(1), reader.GetNullableString(2)) : null;
        }, cancellationToken);

    public Task SetAsync(string tenant, ReportBranding branding, CancellationToken cancellationToken) =>
        database.WriteAsync("report-branding", async (connection, transaction, ct) =>
        {
            await using var command = connection.Command("INSERT INTO report_branding (tenant_id, agency_name, logo_url, accent_color, updated_at) "
                + "VALUES (@tenant, @name, @logo, @accent, @now) ON CONFLICT (tenant_id) DO UPDATE SET agency_name = excluded.agency_name, "
                + "logo_url = excluded.logo_url, accent_color = excluded.accent_color, updated_at = excluded.updated_at", transaction)
                .With("tenant", tenant).With("name", branding.AgencyName).With("logo", branding.LogoUrl).With("accent", branding.AccentColor)
                .With("now", UnixTime.ToMicroseconds(time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
}
