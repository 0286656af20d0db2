using System.Diagnostics.Metrics;
using BacklinkOrleans.SharedKernel.Diagnostics;
using BacklinkOrleans.SharedKernel.ReadModels;
using Microsoft.Extensions.Hosting;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>
/// Backlinks per state (and retired), as a gauge: read from the backlinks table only when someone scrapes, at most
/// every <see cref="Refresh"/> (a scrape answers the last counts and starts the next read).
/// </summary>
internal sealed class BacklinkStateMetrics(IReadModelDatabase database) : IHostedService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);
    private volatile IReadOnlyList<(string State, long Count)> last = [];
    private long refreshedAt = long.MinValue;
    private int reading;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Telemetry.Meter.CreateObservableGauge("backlink.backlinks", Observe, "{backlink}", "Backlinks per lifecycle state (retired ones as 'retired').");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> Observe()
    {
        var stale = Interlocked.Read(ref refreshedAt) is var at && (at == long.MinValue || System.Diagnostics.Stopwatch.GetElapsedTime(at) >= Refresh);
        if (stale && Interlocked.Exchange(ref reading, 1) == 0)
            _ = ReadAsync();
        return last.Select(s => new Measurement<long>(s.Count, new KeyValuePair<string, object?>("state", s.State)));
    }

    private async Task ReadAsync()
    {
        try
        {
            last = await database.ReadAsync<IReadOnlyList<(string, long)>>(async (connection, ct) =>
            {
                await using var command = connection.Command("SELECT CASE WHEN retired <> 0 THEN 'retired' ELSE state END, count(*) FROM backlinks GROUP BY 1");
                await using var reader = await command.ExecuteReaderAsync(ct);
                var rows = new List<(string, long)>();
                while (await reader.ReadAsync(ct))
                    rows.Add((reader.GetString(0), reader.GetInt64(1)));
                return rows;
            });
            Interlocked.Exchange(ref refreshedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // a scrape must not fail on a busy database: the last counts stand, the next scrape reads again
        }
        finally
        {
            Volatile.Write(ref reading, 0);
        }
    }
}
