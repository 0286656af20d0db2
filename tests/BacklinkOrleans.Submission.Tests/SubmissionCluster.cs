using BacklinkOrleans.Validation;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Sandbox;
using BacklinkOrleans.SharedKernel.Http;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.IndexNow;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace BacklinkOrleans.Submission.Tests;

/// <summary>
/// Silos with the real lifecycle and the real Submission module, sending over real HTTP to the Sandbox, all on one
/// fake clock that a ticker moves at about real pace (tests jump it across days). Routing is the real router (see
/// <see cref="TestRouting"/>), validation an instant test port (the URLs are "validated URLs"); credentials come from
/// <see cref="TestCredentials"/>.
/// </summary>
/// <param name="realValidation">validate pages for real (robots.txt, the page probe) against the Sandbox, instead of passing every URL</param>
public abstract partial class SubmissionCluster(int silos, DateTimeOffset? start = null, bool realValidation = false) : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim clockGate = new(1, 1);
    private TempFolder folder = null!;
    private Task ticker = Task.CompletedTask;
    private volatile bool ticking = true;

    public FakeTimeProvider Clock { get; } = new(start ?? Start);

    public SandboxServer Sandbox { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string SqlitePath { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        folder = TempFolder.Create("backlink-submission-");
        var storage = new StorageSettings(null, folder.Path);
        SqlitePath = storage.SqlitePath;
        await new SqliteDatabase(storage.SqlitePath) { ModuleAssemblies = [typeof(BacklinksModule).Assembly] }.MigrateAsync(NullLogger.Instance);
        Sandbox = await SandboxServer.StartAsync(Clock);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Backlinks:SweepPeriod"] = "00:00:01",
            ["Backlinks:SweepLease"] = "00:00:05",
            ["Backlinks:FastPathGrace"] = "00:00:03", // a drive lost with a killed silo is taken up by the shards soon
            ["Backlinks:SweepBatch"] = "1000",
            ["Backlinks:UnboundPortRetry"] = "01:00:00",
            ["Backlinks:PortErrorRetry"] = "00:00:10", // a call to a killed silo's grain times out: try again soon
            ["Submission:IndexNow:AnswerWithin"] = "00:00:20",
            ["Submission:IndexNow:BackoffBase"] = "00:00:02",
            ["Submission:IndexNow:BackoffMax"] = "00:00:30",
            ["Submission:IndexNow:RedeliverAfter"] = "00:00:10",
            ["Submission:IndexNow:RequestTimeout"] = "00:00:10",
            ["Submission:Google:AnswerWithin"] = "00:00:20",
            ["Submission:Google:Linger"] = "00:00:01",
            ["Submission:Google:BackoffBase"] = "00:00:05",
            ["Submission:Google:BackoffMax"] = "00:01:00",
            ["Submission:Google:RedeliverAfter"] = "00:00:10",
            ["Submission:Google:RequestTimeout"] = "00:00:10",
            ["Submission:Inspection:AnswerWithin"] = "00:00:20",
            ["Submission:Inspection:Linger"] = "00:00:01",
            ["Submission:Inspection:BackoffBase"] = "00:00:05",
            ["Submission:Inspection:RedeliverAfter"] = "00:00:10",
            ["Submission:Inspection:RequestTimeout"] = "00:00:10",
            ["Submission:Serp:AnswerWithin"] = "00:00:20",
            ["Submission:Serp:PerMinuteLimit"] = "5000",
            ["Submission:Serp:DailyLimit"] = "100000",
            ["Submission:Serp:Concurrency"] = "8",
            ["Submission:Serp:Linger"] = "00:00:01",
            ["Submission:Serp:BackoffBase"] = "00:00:02",
            ["Submission:Serp:BackoffMax"] = "00:00:30",
            ["Submission:Serp:RedeliverAfter"] = "00:00:10",
            ["Submission:Serp:RequestTimeout"] = "00:00:10",
            ["Submission:Vendor:AnswerWithin"] = "00:00:20",
            ["Submission:Vendor:Linger"] = "00:00:01",
            ["Submission:Vendor:BackoffBase"] = "00:00:02",
            ["Submission:Vendor:BackoffMax"] = "00:00:30",
            ["Submission:Vendor:RedeliverAfter"] = "00:00:10",
            ["Submission:Vendor:RequestTimeout"] = "00:00:10",
            ["Submission:Vendor:OverloadedRetry"] = "00:00:03",
            ["Submission:Vendor:ReportFirstPoll"] = "00:30:00",
        }).Build();

        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ClusterId = builder.Options.ServiceId = $"submission-{Guid.NewGuid():N}";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddBacklinkStorage(storage);
            silo.Services.AddBacklinks(configuration);
            silo.Services.AddSubmission(configuration);
            silo.Services.AddValidation(configuration); // its link-rot checks at follow-ups; validation itself is replaced below
            // Grains, grain timers and our services on the fake clock; Orleans' own machinery on the real one.
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.AddLogging(logging => logging.AddProvider(Problems));
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.Replace(ServiceDescriptor.Singleton<IOutboundHandlerFactory>(new SandboxHandlers(Sandbox)));
            silo.Services.Replace(ServiceDescriptor.Singleton<ICredentialDirectory, TestCredentials>());
            silo.Services.Replace(ServiceDescriptor.Singleton<IRoutingPort, TestRouting>());
            if (!realValidation)
                silo.Services.Replace(ServiceDescriptor.Singleton<IValidationPort, InstantValidation>());
            silo.UseQuickReminders();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        ticker = Task.Run(TickAsync);
    }

    /// <summary>Moves the fake clock about as fast as real time while <see cref="ticking"/>.</summary>
    private async Task TickAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!ticking)
                continue;
            await clockGate.WaitAsync();
            try
            {
                Clock.Advance(TimeSpan.FromMilliseconds(100));
            }
            finally
            {
                clockGate.Release();
            }
        }
    }

    public void PauseClock() => ticking = false;

    public void ResumeClock() => ticking = true;

    /// <summary>Jumps the clock forward to <paramref name="to"/> (the system should be quiet: pending timeouts fire).</summary>
    public async Task JumpToAsync(DateTimeOffset to)
    {
        await clockGate.WaitAsync();
        try
        {
            if (to > Clock.GetUtcNow())
                Clock.AdjustTime(to); // moves "now" without firing every timer in between
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        finally
        {
            clockGate.Release();
        }
    }

    /// <summary>The silos' recent warnings and errors.</summary>
    public CapturedLogs Problems { get; } = new(LogLevel.Warning, capacity: 40);

    /// <summary>Polls until <paramref name="done"/> holds; fails with what was last seen and the silos' recent warnings and errors.</summary>
    public Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, Func<Task<string>> seen) =>
        WaitUntilAsync(done, timeout, async () => $"{await seen()}\nrecent warnings and errors:\n{string.Join("\n", Problems.Lines)}");

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await ticker;
        await Cluster.DisposeAsync();
        await Sandbox.DisposeAsync();
        await folder.DisposeAsync(); // a killed silo's last writes may still be closing their files
    }

    private sealed class SandboxHandlers(SandboxServer sandbox) : IOutboundHandlerFactory
    {
        public HttpMessageHandler CreateHandler() => sandbox.CreateHandler();
    }
}

public sealed class OneSilo() : SubmissionCluster(1);

public sealed class TwoSilos() : SubmissionCluster(2);

/// <summary>One silo whose clock starts on 2026-10-31, the day before US Pacific time leaves daylight saving (a 25-hour day).</summary>
public sealed class OneSiloBeforeDst() : SubmissionCluster(1, new DateTimeOffset(2026, 10, 31, 18, 0, 0, TimeSpan.Zero));
