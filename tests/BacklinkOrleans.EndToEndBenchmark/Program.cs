using System.Globalization;
using BacklinkOrleans.EndToEndBenchmark;
using BacklinkOrleans.Testing;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BacklinkOrleans end-to-end benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
await using (var calibration = TempFolder.Create("backlink-calibration-"))
    Console.WriteLine(MachineCalibration.Measure(calibration.Path));

if (options.Pending is { } pending)
{
    foreach (var store in options.Stores)
    {
        await using var server = store == "postgres" && options.Postgres is null ? await ThrowawayPostgres.StartAsync(maxConnections: 100) : null;
        Console.WriteLine((await PendingRun.RunAsync(store, pending, options, server)).Report());
    }
    return 0;
}

var results = new List<PipelineResult>();
foreach (var store in options.Stores)
{
    foreach (var size in options.Sizes)
    {
        Console.WriteLine($"{store}, {size:N0} URLs:");
        // A server of its own per run (PostgreSQL's default max_connections, 100), so its log counts only this run.
        await using var server = store == "postgres" && options.Postgres is null ? await ThrowawayPostgres.StartAsync(maxConnections: 100) : null;
        var result = await PipelineRun.RunAsync(store, size, options, server);
        results.Add(result);
        Console.WriteLine(result.Report());
    }
}

Console.WriteLine();
Console.WriteLine("Goals (issue 17): ≥ 1,000 backlinks/s at 100,000 URLs; 100k rate ≥ 90 % of the 10k rate; import < 30 s; ≥ 20× the field's script");
foreach (var group in results.GroupBy(r => r.Store))
{
    var largest = group.MaxBy(r => r.Urls)!;
    var smallest = group.MinBy(r => r.Urls)!;
    var flat = smallest == largest ? 1 : largest.BacklinksPerSecond / smallest.BacklinksPerSecond;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {group.Key,-9} {largest.Urls:N0} URLs: {largest.BacklinksPerSecond:N0} backlinks/s, {flat:P0} of the {smallest.Urls:N0}-URL rate, "
        + $"import {largest.ImportRequest.TotalSeconds:F1} s, {largest.Ratio:N1}× the script, {(double)largest.WriteTransactions / largest.Urls:F3} write transactions per backlink"));
}
return 0;
