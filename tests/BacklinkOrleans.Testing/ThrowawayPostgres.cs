using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace BacklinkOrleans.Testing;

/// <summary>
/// A PostgreSQL server of its own for tests and the benchmark: <c>initdb</c> into a temporary folder, <c>pg_ctl
/// start</c> on a free loopback port, removed again on dispose. Run as root, it runs the server as the
/// <c>postgres</c> user (PostgreSQL refuses to run as root). When it cannot start, it throws saying why: the
/// PostgreSQL tests never skip silently.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string binDirectory;
    private readonly string dataDirectory;
    private readonly bool asPostgresUser;

    private ThrowawayPostgres(string binDirectory, string dataDirectory, int port, bool asPostgresUser)
    {
        this.binDirectory = binDirectory;
        this.dataDirectory = dataDirectory;
        this.asPostgresUser = asPostgresUser;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = true,
            MaxPoolSize = 50,
        }.ToString();
    }

    public int Port { get; }

    /// <summary>Connection string to the server's <c>postgres</c> database (superuser, trust authentication).</summary>
    public string ConnectionString { get; }

    public static async Task<ThrowawayPostgres> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        var asPostgres = Environment.UserName == "root";
        var data = Path.Combine(Path.GetTempPath(), $"backlink-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (asPostgres)
            await RunAsync("chown", ["postgres:postgres", data], cancellationToken);

        var port = FreeLoopbackPort();
        var server = new ThrowawayPostgres(bin, data, port, asPostgres);
        try
        {
            await server.RunPgAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"], cancellationToken);
            await server.RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], cancellationToken);
        }
        catch (Exception e)
        {
            var log = Path.Combine(data, "server.log");
            var tail = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
            await server.DisposeAsync();
            throw new InvalidOperationException(
                $"Could not start a throwaway PostgreSQL with the binaries in {bin} on port {port}: {e.Message}\n{tail}", e);
        }
        return server;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default) =>
        await CreateDatabaseAsync(ConnectionString, prefix, cancellationToken);

    /// <summary>Creates an empty database on the server of <paramref name="serverConnectionString"/>.</summary>
    public static async Task<string> CreateDatabaseAsync(string serverConnectionString, string prefix,
        CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ToString();
    }

    /// <summary>Stops the server at once (like a crash) and starts it again on the same port and data.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        NpgsqlConnection.ClearAllPools();
        await RunPgAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], cancellationToken);
        await RunPgAsync("pg_ctl", ["-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunPgAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder is removed below either way.
            }
        }
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(binDirectory, tool);
        return asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments], cancellationToken)
            : RunAsync(executable, arguments, cancellationToken);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }

    private static string FindBinDirectory()
    {
        var candidates = new List<string>();
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb))
                candidates.Add(Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(true)?.FullName ?? initdb)!);
        }
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin")));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. "
                + "Install them (Debian: apt-get install postgresql) or set BACKLINK_TEST_POSTGRES to a server's connection string.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
