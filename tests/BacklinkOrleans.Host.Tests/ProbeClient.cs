using System.Diagnostics;
using System.Net.Http.Json;
using BacklinkOrleans.Host.Diagnostics;

using BacklinkOrleans.Testing;

namespace BacklinkOrleans.Host.Tests;

internal static class ProbeClient
{
    public static async Task<ProbeReport> TouchAsync(this HostProcess host, string key, string note)
    {
        using var response = await host.Operator.PostAsync($"/ops/probes/{key}?note={Uri.EscapeDataString(note)}", null);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{host.Output}");
        return (await response.Content.ReadFromJsonAsync<ProbeReport>())!;
    }

    public static async Task<ProbeReport> ProbeAsync(this HostProcess host, string key) =>
        (await host.Operator.GetFromJsonAsync<ProbeReport>($"/ops/probes/{key}"))!;

    /// <summary>Polls the probe until <paramref name="condition"/> holds.</summary>
    public static async Task<ProbeReport> WaitForAsync(this HostProcess host, string key, Func<ProbeReport, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        ProbeReport report;
        do
        {
            report = await host.ProbeAsync(key);
            if (condition(report))
                return report;
            await Task.Delay(200);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(60));
        throw new TimeoutException($"probe {key} never showed {what}; last: {report}\n{host.Output}");
    }
}
