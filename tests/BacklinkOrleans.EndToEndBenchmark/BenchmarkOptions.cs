using System.Globalization;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>What to measure; see <see cref="Usage"/>.</summary>
internal sealed record BenchmarkOptions(
    IReadOnlyList<string> Stores,
    IReadOnlyList<int> Sizes,
    int Hosts,
    int LatencyMs,
    int ScriptUrls,
    string? Postgres,
    TimeSpan MaxRun,
    int? Pending,
    double DueFraction,
    int PostgresConnections)
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/BacklinkOrleans.EndToEndBenchmark -- [options]
          --store sqlite|postgres|both   profiles to run (default both; postgres starts a throwaway server)
          --urls N[,N…]                  URLs per run (default 10000,100000)
          --hosts H                      simulated hosts, each with a verified IndexNow key (default 1000)
          --latency-ms MS                added latency of the simulated IndexNow engine (default 50)
          --script-urls N                URLs the field's script sends in the same run (default 1000)
          --max-seconds S                give up a run after S seconds (default 900)
          --postgres "Host=…"            use this server (a user that may create databases)
          --pg-connections N             the Host's PostgreSQL connection budget (default: the Host's default)
          --pending N                    instead: RSS of a Host with N backlinks waiting for follow-ups
          --due-fraction F               with --pending: the share due within the run (default 0.01)
        """;

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(["sqlite", "postgres"], [10_000, 100_000], 1_000, 50, 1_000, null, TimeSpan.FromSeconds(900), null, 0.01, 0);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int Number(string text) => int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"'{text}' is not a positive whole number.\n{Usage}");
            options = args[i] switch
            {
                "--store" => options with
                {
                    Stores = Next() switch
                    {
                        "both" => ["sqlite", "postgres"],
                        "sqlite" => ["sqlite"],
                        "postgres" => ["postgres"],
                        var other => throw new ArgumentException($"--store is sqlite, postgres or both, not '{other}'.\n{Usage}"),
                    },
                },
                "--urls" => options with { Sizes = [.. Next().Split(',').Select(Number)] },
                "--hosts" => options with { Hosts = Number(Next()) },
                "--latency-ms" => options with { LatencyMs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--script-urls" => options with { ScriptUrls = Number(Next()) },
                "--max-seconds" => options with { MaxRun = TimeSpan.FromSeconds(Number(Next())) },
                "--postgres" => options with { Postgres = Next() },
                "--pg-connections" => options with { PostgresConnections = Number(Next()) },
                "--pending" => options with { Pending = Number(Next()) },
                "--due-fraction" => options with { DueFraction = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--help" or "-h" => throw new ArgumentException(Usage),
                var other => throw new ArgumentException($"Unknown option '{other}'.\n{Usage}"),
            };
        }
        return options;
    }
}
