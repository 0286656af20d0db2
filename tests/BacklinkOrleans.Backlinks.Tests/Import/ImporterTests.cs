using System.Collections.Concurrent;
using System.Text;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Import;
using BacklinkOrleans.SharedKernel.Tenancy;

namespace BacklinkOrleans.Backlinks.Tests.Import;

/// <summary>Runs alone: it measures the process's heap, which concurrent tests (in-process clusters) would inflate.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurement";
}

[Collection(MemoryMeasurementCollection.Name)]
public sealed class ImporterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// Collects like the grains do: the first time a hash is seen it is new, after that a duplicate. Keeps 8 bytes
    /// per URL, so its own bookkeeping does not count against the importer; samples the live heap as it goes.
    /// </summary>
    private sealed class RecordingCollector(int sampleEvery = 0) : IBacklinkCollector
    {
        private readonly ConcurrentDictionary<long, byte> seen = new();
        public long MaxHeap;
        public long Calls;

        public Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken)
        {
            var outcomes = new List<CollectOutcome>(rows.Count);
            foreach (var row in rows)
            {
                if (sampleEvery > 0 && Interlocked.Increment(ref Calls) % sampleEvery == 0)
                    InterlockedMax(ref MaxHeap, GC.GetTotalMemory(forceFullCollection: true));
                var key = long.Parse(row.UrlHash.AsSpan(0, 16), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                outcomes.Add(new CollectOutcome(seen.TryAdd(key, 0) ? CollectResult.Collected : CollectResult.Duplicate));
            }
            return Task.FromResult<IReadOnlyList<CollectOutcome>>(outcomes);
        }

        private static void InterlockedMax(ref long target, long value)
        {
            for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
                if (Interlocked.CompareExchange(ref target, value, current) == current)
                    return;
        }
    }

    [Fact]
    public async Task BadRows_AreNamedWithRowFieldAndReason_AndNeverDropGoodRows()
    {
        var csv = """
            url,target_url,anchor,priority
            https://a.example/1,,ok,
            ,,missing url,
            https://a.example/2,not-a-url,,
            https://a.example/3,,,101
            https://a.example/1,,duplicate of row 2,
            mailto:x@y.example,,,
            https://a.example/4,https://client.example/,,5
            """;
        var collector = new RecordingCollector();
        var result = await new BacklinkImporter(collector).ImportAsync(TenantId.From("acme"), "c1", new CsvImportReader(),
            new MemoryStream(Encoding.UTF8.GetBytes(csv)), CancellationToken.None);

        Assert.Equal((7L, 2L, 1L, 4L), (result.Rows, result.Accepted, result.Duplicate, result.Rejected));
        Assert.Equal([(3L, "url"), (4L, "target_url"), (5L, "priority"), (7L, "url")], result.Errors.Select(e => (e.Row, e.Field)));
        Assert.Contains("missing", result.Errors[0].Reason);
        Assert.Contains("scheme 'mailto'", result.Errors[3].Reason);
    }

    [Fact]
    public async Task AnOverlongUrl_AndBytesThatAreNotUtf8_AreRowErrors_AndTheGoodRowsAroundThemCount()
    {
        var bytes = Encoding.UTF8.GetBytes($"url,target_url\nhttps://a.example/ok-1,\nhttps://a.example/{new string('x', 2_100)},\n"
            + $"https://a.example/ok-2,https://client.example/{new string('y', 2_100)}\nhttps://a.example/caf").Concat(new byte[] { 0xE9, 0x0A })
            .Concat(Encoding.UTF8.GetBytes("https://a.example/caf\u00e9\nhttps://a.example/ok-3,\n")).ToArray();
        var collector = new RecordingCollector();

        var result = await new BacklinkImporter(collector).ImportAsync(TenantId.From("acme"), "c1", new CsvImportReader(), new MemoryStream(bytes),
            CancellationToken.None);

        Assert.Equal([(3L, "url"), (4L, "target_url"), (5L, "row")], result.Errors.Select(e => (e.Row, e.Field)));
        Assert.Contains("longer than 2,048 characters", result.Errors[0].Reason);
        Assert.Contains("not valid UTF-8", result.Errors[2].Reason);
        Assert.Equal((6L, 3L, 3L), (result.Rows, result.Accepted, result.Rejected)); // the café in valid UTF-8 is a different URL, accepted
    }

    /// <summary>Fails its first calls as a cluster does while a silo leaves (its messages are rejected: an OrleansException).</summary>
    private sealed class MovingCluster(int failures) : IBacklinkCollector
    {
        public int Calls;

        public Task<IReadOnlyList<CollectOutcome>> CollectManyAsync(TenantId tenant, IReadOnlyList<CollectRow> rows, CancellationToken cancellationToken) =>
            ++Calls <= failures
                ? throw new Orleans.Runtime.OrleansException("message rejected: the silo is leaving")
                : Task.FromResult<IReadOnlyList<CollectOutcome>>([.. rows.Select(_ => new CollectOutcome(CollectResult.Collected))]);
    }

    [Fact]
    public async Task RowsTheClusterRejectsWhileGrainsMove_AreTriedAgain_AndCount()
    {
        var collector = new MovingCluster(failures: 2);
        var result = await new BacklinkImporter(collector).ImportAsync(TenantId.From("acme"), "c1", new CsvImportReader(),
            new MemoryStream("url\nhttps://a.example/1\nhttps://a.example/2\n"u8.ToArray()), CancellationToken.None);

        Assert.Equal((2L, 2L, 0L), (result.Rows, result.Accepted, result.Rejected));
        Assert.Equal(3, collector.Calls);
    }

    [Fact]
    public async Task AHundredThousandRowCsv_IsStreamed_WithoutTheHeapGrowingWithTheFile()
    {
        const int rows = 100_000;
        var collector = new RecordingCollector(sampleEvery: 10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var result = await new BacklinkImporter(collector).ImportAsync(TenantId.From("acme"), "c1", new CsvImportReader(),
            new GeneratedCsv(rows), CancellationToken.None);

        Assert.Equal((rows, rows - rows / 10, rows / 10, 0L), (result.Rows, result.Accepted, result.Duplicate, result.Rejected));
        var growth = collector.MaxHeap - before;
        Assert.True(collector.MaxHeap > 0, "the heap was sampled");
        output.WriteLine($"live managed heap growth while streaming {rows:N0} rows: {growth / 1024.0 / 1024.0:F1} MB");
        Assert.True(growth < 50L * 1024 * 1024, $"the live managed heap grew by {growth / 1024 / 1024} MB while streaming {rows} rows");
    }

    /// <summary>A CSV body generated on the fly, never held in memory: every tenth row repeats an earlier URL.</summary>
    private sealed class GeneratedCsv(int rows) : Stream
    {
        private int next = -1;
        private byte[] pending = [];
        private int offset;

        public override int Read(byte[] buffer, int index, int count)
        {
            if (offset == pending.Length)
            {
                if (next >= rows)
                    return 0;
                var line = next < 0 ? "url,anchor,note\n"
                    : next % 10 == 9 ? $"https://guest-blog-{next / 10 % 500}.example/post/{next - 9},again,\n"
                    : $"https://guest-blog-{next / 10 % 500}.example/post/{next},anchor {next},a note about row {next}\n";
                next++;
                pending = Encoding.UTF8.GetBytes(line);
                offset = 0;
            }
            var n = Math.Min(count, pending.Length - offset);
            Array.Copy(pending, offset, buffer, index, n);
            offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
