using System.Diagnostics;
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
    /// <summary>How the folders of throwaway servers are named, under the temp directory.</summary>
    public const string FolderPrefix = "backlink-pg-";
    private readonly TempFolder data;
    private readonly string dataDirectory;
    private readonly FileStream owner;
    private readonly bool asPostgresUser;

    private ThrowawayPostgres(string binDirectory, TempFolder data, FileStream owner, int port, bool asPostgresUser)
    {
        this.binDirectory = binDirectory;
        this.data = data;
        this.owner = owner;
        dataDirectory = data.Path;
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

    /// <summary>The server's max_connections.</summary>
    public int MaxConnections { get; private init; }

    /// <summary>The server's log file.</summary>
    public string LogFile => Path.Combine(dataDirectory, "server.log");

    /// <summary>Connection string to the server's <c>postgres</c> database (superuser, trust authentication).</summary>
    public string ConnectionString { get; }

    /// <param name="maxConnections">the server's max_connections (PostgreSQL's own default is 100)</param>
    public static async Task<ThrowawayPostgres> StartAsync(int maxConnections = 200, CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        var asPostgres = Environment.UserName == "root";
        await RemoveLeftoversAsync(cancellationToken);
        var folder = TempFolder.Create(FolderPrefix, BaseDirectory());
        var data = folder.Path;
        var owner = new FileStream(OwnerFile(data), FileMode.Create, FileAccess.Write, FileShare.None);
        if (asPostgres)
            await RunAsync("chown", ["postgres:postgres", data], cancellationToken);

        var port = FreePorts.Next();
        var server = new ThrowawayPostgres(bin, folder, owner, port, asPostgres) { MaxConnections = maxConnections };
        try
        {
            await server.RunPgAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"], cancellationToken);
            await server.RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections={maxConnections}", "start"], cancellationToken);
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
            "-o", $"-p {Port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections={MaxConnections}", "start"], cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAndRemoveAsync(binDirectory, asPostgresUser, data, owner);
    }

    /// <summary>Stops the server of a folder if it runs, removes the folder, then releases and removes its owner file.</summary>
    private static async Task StopAndRemoveAsync(string bin, bool asPostgres, TempFolder data, FileStream owner)
    {
        if (File.Exists(Path.Combine(data.Path, "postmaster.pid")))
        {
            try
            {
                await RunPgAsync(bin, asPostgres, "pg_ctl", ["-D", data.Path, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder is removed below either way.
            }
        }
        await data.DisposeAsync();
        await owner.DisposeAsync();
        if (!Directory.Exists(data.Path))
            File.Delete(OwnerFile(data.Path));
    }

    /// <summary>
    /// The test host does not wait for a test process's exit handler, so a server's folder (over 100 MB once tests
    /// have run) can be left behind, even the server itself when a process is killed. Each server holds a lock on a
    /// file beside its folder while it lives; when that lock is free (or, for a folder without one, after an hour),
    /// the folder is a leftover: its server is stopped and the folder removed.
    /// </summary>
    public static async Task RemoveLeftoversAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        var asPostgres = Environment.UserName == "root";
        foreach (var folder in Directory.EnumerateDirectories(BaseDirectory(), FolderPrefix + "*"))
        {
            FileStream claim;
            try
            {
                if (!File.Exists(OwnerFile(folder)) && Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddHours(-1))
                    continue; // perhaps being made right now
                claim = new FileStream(OwnerFile(folder), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
            }
            catch (IOException)
            {
                continue; // its server lives (or another process is removing it)
            }
            await StopAndRemoveAsync(bin, asPostgres, TempFolder.Adopt(folder), claim);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Where server folders go: the temp directory, unless the postgres user could not reach a folder in it (a TMPDIR of
    /// mode 0700 owned by root), then /tmp.
    /// </summary>
    public static string BaseDirectory()
    {
        var temp = Path.GetTempPath();
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
            return temp;
        for (var dir = new DirectoryInfo(temp); dir is not null; dir = dir.Parent)
            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
                return "/tmp";
        return temp;
    }

    /// <summary>The file beside a server's folder that the server's process holds locked while the server lives.</summary>
    public static string OwnerFile(string dataDirectory) => dataDirectory + ".owner";

    private Task RunPgAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunPgAsync(binDirectory, asPostgresUser, tool, arguments, cancellationToken);

    private static Task RunPgAsync(string bin, bool asPostgres, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(bin, tool);
        return asPostgres
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
}
