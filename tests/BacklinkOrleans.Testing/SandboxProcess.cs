using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace BacklinkOrleans.Testing;

/// <summary>
/// The Sandbox in a process of its own (the Host binary's <c>sandbox</c> verb), shared by the Hosts of a test: each
/// Host started with <see cref="HostEnvironment"/> sends its outbound requests there, and the test scripts the world
/// and reads its ledgers through <see cref="Control"/>. Dispose kills it.
/// </summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private SandboxProcess(Process process, string worldFile)
    {
        this.process = process;
        WorldFile = worldFile;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The world file the Sandbox wrote: its ports, CA certificate and control key.</summary>
    public string WorldFile { get; }

    /// <summary>The control API (<c>/sandbox/...</c>), with the control key.</summary>
    public HttpClient Control { get; private set; } = null!;

    /// <summary>The settings that point a Host at this Sandbox (environment variables).</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment => new Dictionary<string, string> { ["Sandbox__World"] = WorldFile };

    public string Output
    {
        get
        {
            lock (output)
                return output.ToString();
        }
    }

    /// <summary>Starts the Sandbox with its world file in <paramref name="folder"/> and waits until the file is there.</summary>
    public static async Task<SandboxProcess> StartAsync(string folder)
    {
        var worldFile = Path.Combine(folder, "sandbox-world.json");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepositoryLayout.OutputOf("src/Host/BacklinkOrleans.Host", "BacklinkOrleans.Host"));
        start.ArgumentList.Add("sandbox");
        start.ArgumentList.Add($"--Sandbox:ControlUrl=http://127.0.0.1:{FreePorts.Next()}");
        start.ArgumentList.Add($"--Sandbox:World={worldFile}");
        var sandbox = new SandboxProcess(Process.Start(start)!, worldFile);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // how long to wait for start-up, not a measurement
        while (!File.Exists(worldFile))
        {
            if (sandbox.process.HasExited || patience.IsCancellationRequested)
            {
                await sandbox.DisposeAsync();
                throw new InvalidOperationException($"The Sandbox did not start:\n{sandbox.Output}");
            }
            await Task.Delay(100);
        }
        var world = JsonNode.Parse(await File.ReadAllTextAsync(worldFile))!;
        sandbox.Control = new HttpClient { BaseAddress = new Uri((string)world["controlUrl"]!), Timeout = TimeSpan.FromSeconds(60) };
        sandbox.Control.DefaultRequestHeaders.Add("X-Api-Key", (string)world["controlKey"]!);
        return sandbox;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (output)
        {
            if (output.Length > 1024 * 1024)
                output.Remove(0, output.Length / 2);
            output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Control?.Dispose();
    }
}
