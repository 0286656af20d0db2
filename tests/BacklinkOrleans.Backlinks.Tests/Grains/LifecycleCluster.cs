using System.Collections.Concurrent;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace BacklinkOrleans.Backlinks.Tests.Grains;

/// <summary>
/// Ports for grain tests: routes every host to IndexNow except <c>uncovered.example</c>; validation passes, but
/// hangs for a host that has a closed gate; submission queues hosts named <c>queued.example</c> (and asks to be looked
/// at again after <see cref="QueuedLookAgain"/> the first time, after an hour later), other hosts and index checks stay unbound. Calls are counted per URL
/// hash and the silo that made them is recorded.
/// </summary>
internal sealed class TestPorts(ILocalSiloDetails silo) : IRoutingPort, IValidationPort, ISubmissionPort, IIndexCheckPort
{
    public static readonly RouteTarget IndexNow = new("indexnow", "cred-1", "example", "bingbot");
    public static readonly TimeSpan QueuedLookAgain = TimeSpan.FromSeconds(2);
    public static readonly ConcurrentDictionary<string, int> RouteCalls = new();
    public static readonly ConcurrentDictionary<string, int> ValidateCalls = new();
    public static readonly ConcurrentDictionary<string, int> EnqueueCalls = new();
    public static readonly ConcurrentDictionary<string, SiloAddress> ValidatedOn = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public Task<RouteResult?> RouteAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        RouteCalls.AddOrUpdate(backlink.UrlHash, 1, (_, n) => n + 1);
        return Task.FromResult<RouteResult?>(new RouteResult(backlink.Host == "uncovered.example" ? [] : [IndexNow], []));
    }

    public async Task<ValidationVerdict?> ValidateAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        ValidateCalls.AddOrUpdate(backlink.UrlHash, 1, (_, n) => n + 1);
        ValidatedOn[backlink.UrlHash] = silo.SiloAddress;
        if (Gates.TryGetValue(backlink.Host, out var gate))
            await gate.Task;
        return new ValidationVerdict(true, null, null, $"test validation on {silo.SiloAddress}");
    }

    public Task<Enqueued?> EnqueueAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken)
    {
        if (backlink.Host != "queued.example")
            return Task.FromResult<Enqueued?>(null);
        var calls = EnqueueCalls.AddOrUpdate(backlink.UrlHash, 1, (_, n) => n + 1);
        // The first answer asks to be looked at again soon (the shards must wake it); later ones far off, so that a
        // test reading the wait afterwards sees it however slow the machine is.
        var lookAgain = calls == 1 ? QueuedLookAgain : TimeSpan.FromHours(1);
        return Task.FromResult<Enqueued?>(new Enqueued(DateTimeOffset.UtcNow + lookAgain, "in the test queue"));
    }

    public Task<Enqueued?> WithdrawAsync(BacklinkSnapshot backlink, RouteTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<Enqueued?>(null);

    public Task<Enqueued?> EnqueueCheckAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken) => Task.FromResult<Enqueued?>(null);
}

/// <summary>Two in-process silos sharing one SQLite file (events, read models, reminders), with fast scheduler shards.</summary>
public sealed class LifecycleCluster : IAsyncLifetime
{
    private TempFolder folder = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-grains-");
        var storage = new StorageSettings(null, folder.Path);
        await new SqliteDatabase(storage.SqlitePath) { ModuleAssemblies = [typeof(BacklinksModule).Assembly] }.MigrateAsync(NullLogger.Instance);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Backlinks:SweepPeriod"] = "00:00:01",
            ["Backlinks:SweepLease"] = "00:00:03",
            ["Backlinks:FastPathGrace"] = "00:00:03",
            ["Backlinks:UnboundPortRetry"] = "00:10:00",
        }).Build();

        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ClusterId = builder.Options.ServiceId = $"grains-{Guid.NewGuid():N}";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddBacklinkStorage(storage);
            silo.Services.AddBacklinks(configuration);
            silo.Services.Replace(ServiceDescriptor.Singleton<TestPorts, TestPorts>());
            silo.Services.Replace(ServiceDescriptor.Singleton<IRoutingPort>(sp => sp.GetRequiredService<TestPorts>()));
            silo.Services.Replace(ServiceDescriptor.Singleton<IValidationPort>(sp => sp.GetRequiredService<TestPorts>()));
            silo.Services.Replace(ServiceDescriptor.Singleton<ISubmissionPort>(sp => sp.GetRequiredService<TestPorts>()));
            silo.Services.Replace(ServiceDescriptor.Singleton<IIndexCheckPort>(sp => sp.GetRequiredService<TestPorts>()));
            silo.UseQuickReminders();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await folder.DisposeAsync(); // a killed silo's last writes may still be closing their files
    }

    public async Task<string> NewCampaignAsync(string tenant = "acme")
    {
        var id = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<ICampaignGrain>($"{tenant}/{id}").CreateAsync(
            new CampaignSettings("test", "client", ["indexnow"], 1, [TimeSpan.FromHours(1)], TimeSpan.FromDays(30), 50));
        return id;
    }

    /// <summary>What the cluster's membership says of each silo, for a failure's message.</summary>
    private async Task<string> MembershipAsync()
    {
        try
        {
            var hosts = await Cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
            return "membership: " + string.Join(", ", hosts.Select(h => $"{h.Key} {h.Value}"));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return $"membership unknown ({e.GetType().Name})";
        }
    }

    /// <summary>Polls a backlink until its state is <paramref name="state"/>.</summary>
    public async Task<BacklinkView> WaitForStateAsync(IBacklinkGrain backlink, string state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        BacklinkView? view = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                view = await backlink.GetAsync();
                if (view?.State == state)
                    return view;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // the silo that hosted it is gone; the directory catches up
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"backlink never reached '{state}'; last seen: {view?.State ?? "(none)"}; {await MembershipAsync()}");
    }
}
