using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;

namespace BacklinkOrleans.Testing;

/// <summary>A member of the cluster as the Host's readiness answer lists it.</summary>
public sealed record HostMember(string Address, string Name, string Status);

/// <summary>The Host's readiness answer (<c>/health/ready</c>).</summary>
public sealed record HostReadiness(string Status, string Profile, string Storage, string? StorageError, string Silo, string SiloStatus,
    IReadOnlyList<HostMember> Members);

/// <summary>
/// The real Host binary (built in the running assembly's configuration) as a child process on free loopback ports, as
/// a user or docker-compose runs it: for the Host tests and the end-to-end benchmark. Stop sends SIGTERM (graceful
/// shutdown); dispose kills it.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private const int MaxOutputChars = 4 * 1024 * 1024;
    private readonly StringBuilder output = new();

    private HostProcess(Process process, int httpPort)
    {
        this.process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Operator = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Http.Timeout, DefaultRequestHeaders = { { "X-Api-Key", OperatorKey } } };
    }

    public HttpClient Http { get; }

    /// <summary>A client holding the operator key.</summary>
    public HttpClient Operator { get; }

    /// <summary>The process id (for its memory figures in /proc).</summary>
    public int ProcessId => process.Id;

    public string Output
    {
        get
        {
            lock (output)
                return output.ToString();
        }
    }

    /// <summary>Configuration of one Host: its working directory, optional PostgreSQL, and its own ports.</summary>
    public sealed record Settings(string WorkingDirectory, string? Postgres)
    {
        public int HttpPort { get; } = FreePorts.Next();
        public int SiloPort { get; } = FreePorts.Next();
        public int GatewayPort { get; } = FreePorts.Next();

        /// <summary>Shared by every Host of a test, as the silos of a cluster share theirs.</summary>
        public string MasterKey { get; init; } = TestMasterKey;

        /// <summary>Whether Accounts:OperatorKey is configured (without it, the first start issues one).</summary>
        public bool WithOperatorKey { get; init; } = true;

        /// <summary>More settings, as environment variables (Section__Key).</summary>
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    }

    public static readonly string TestMasterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The operator key every test Host is configured with (the storage probe needs it).</summary>
    public const string OperatorKey = "host-test-operator-key-0123456789";

    public static async Task<HostProcess> StartAsync(Settings settings)
    {
        var process = Process.Start(StartInfo(settings, "serve"))!;
        var host = new HostProcess(process, settings.HttpPort);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitReadyAsync(minimumMembers: 1);
        return host;
    }

    /// <summary>Runs a verb that ends by itself (e.g. migrate); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(Settings settings, string verb, TimeSpan? timeLimit = null)
    {
        using var process = Process.Start(StartInfo(settings, verb))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(timeLimit ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo StartInfo(Settings settings, string verb)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = settings.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepositoryLayout.OutputOf("src/Host/BacklinkOrleans.Host", "BacklinkOrleans.Host"));
        foreach (var word in verb.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            start.ArgumentList.Add(word); // "audit verify" is two arguments
        start.Environment["Urls"] = $"http://127.0.0.1:{settings.HttpPort}";
        start.Environment["Cluster__SiloPort"] = settings.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Cluster__GatewayPort"] = settings.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Reminders__MinimumPeriod"] = "00:00:02";
        start.Environment["Diagnostics__ProbeEndpoints"] = "true";
        start.Environment["ConnectionStrings__Postgres"] = settings.Postgres ?? "";
        start.Environment["DataProtection__MasterKey"] = settings.MasterKey;
        start.Environment["Accounts__OperatorKey"] = settings.WithOperatorKey ? OperatorKey : "";
        foreach (var (name, value) in settings.Environment)
            start.Environment[name] = value;
        return start;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (output)
        {
            if (output.Length > MaxOutputChars)
                output.Remove(0, output.Length / 2); // a long run keeps its latest lines
            output.AppendLine(line);
        }
    }

    /// <summary>Polls /health/ready until it answers 200 listing at least <paramref name="minimumMembers"/> active silos.</summary>
    public async Task<HostReadiness> WaitReadyAsync(int minimumMembers, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        using var patience = new CancellationTokenSource(limit); // how long to wait for start-up, not a measurement
        string last = "no answer";
        while (!patience.IsCancellationRequested)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // HasExited can come before the last lines are read: wait for the streams' end
                throw new InvalidOperationException($"The Host exited with {process.ExitCode} before it was ready:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode)
                {
                    var answer = (await response.Content.ReadFromJsonAsync<HostReadiness>())!;
                    if (answer.Members.Count >= minimumMembers)
                        return answer;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The Host was not ready with {minimumMembers} members in {limit}: {last}\n{Output}");
    }

    /// <summary>Graceful stop (SIGTERM); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL: no shutdown, no flush) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Http.Dispose();
        Operator.Dispose();
    }
}
