// Appends 5-event batches from many concurrent writers to a SQLite store and prints "ack <stream> <version>"
// for every acknowledged append, until it is killed. The crash test kills it mid-write and checks the file.
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

const int Writers = 32, EventsPerAppend = 5;
var database = new SqliteDatabase(args[0]);
await database.CreateMigrationRunner(NullLogger.Instance).MigrateAsync();
var store = new SqliteEventStore(database, [], TimeProvider.System, new EventStoreOptions(), NullLogger<SqliteEventStore>.Instance);
var output = TextWriter.Synchronized(Console.Out);

await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
{
    var stream = $"crash/{writer}";
    for (long version = 0; ; version += EventsPerAppend)
    {
        var events = Enumerable.Range(0, EventsPerAppend)
            .Select(i => new EventData(Guid.NewGuid(), "test.crash.v1", $$"""{"writer":{{writer}},"i":{{version + i}},"pad":"{{new string('x', 200)}}"}""", "{}"))
            .ToList();
        var result = await store.AppendAsync(stream, version, events);
        if (result.Status != AppendStatus.Appended)
            throw new InvalidOperationException($"{stream}: {result}");
        output.WriteLine($"ack {stream} {result.StreamVersion}");
    }
})));
