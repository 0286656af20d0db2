using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace BacklinkOrleans.EndToEndBenchmark;

/// <summary>
/// How fast this machine is right now, measured before the runs: hashing on one thread and on every core, and the
/// latency of a durable write (fsync). The same commit measured 563 and ~1,100 backlinks/s on this development VM on
/// two days; figures are comparable only between runs whose calibration is alike, so the report prints it.
/// </summary>
internal sealed record MachineCalibration(double HashMbPerSecondOneCore, double HashMbPerSecondAllCores, double FsyncP50Ms, double FsyncP99Ms)
{
    private const int HashBytes = 64 * 1024 * 1024;
    private const int Fsyncs = 200;

    public static MachineCalibration Measure(string folder)
    {
        var one = HashRate(1);
        var all = HashRate(Environment.ProcessorCount);
        var (p50, p99) = FsyncLatency(folder);
        return new MachineCalibration(one, all, p50, p99);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"machine now: SHA-256 {HashMbPerSecondOneCore:N0} MB/s on one core, {HashMbPerSecondAllCores:N0} MB/s on all; fsync p50 {FsyncP50Ms:F2} ms, p99 {FsyncP99Ms:F2} ms (compare runs only at a like calibration)");

    /// <summary>MB/s hashed by <paramref name="threads"/> threads together, each hashing the same amount (the best of three rounds).</summary>
    private static double HashRate(int threads)
    {
        var data = new byte[HashBytes];
        Random.Shared.NextBytes(data);
        var best = 0.0;
        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => SHA256.HashData(data));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            best = Math.Max(best, threads * (HashBytes / 1024.0 / 1024.0) / seconds);
        }
        return best;
    }

    /// <summary>The latency of writing 4 KiB and flushing it to the disk, as the stores' commits do.</summary>
    private static (double P50, double P99) FsyncLatency(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"calibration-{Guid.NewGuid():N}.bin");
        var block = new byte[4096];
        var times = new double[Fsyncs];
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            for (var i = 0; i < Fsyncs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                file.Write(block);
                file.Flush(flushToDisk: true);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        finally
        {
            File.Delete(path);
        }
        Array.Sort(times);
        return (times[Fsyncs / 2], times[Fsyncs * 99 / 100]);
    }
}
