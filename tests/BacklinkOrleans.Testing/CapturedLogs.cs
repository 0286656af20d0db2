using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Testing;

/// <summary>
/// A logger provider that keeps the messages at or above <paramref name="minimum"/> (with their exceptions), at most
/// the last <paramref name="capacity"/>: secret scans read all of them, a timed-out wait quotes the recent problems.
/// </summary>
public sealed class CapturedLogs(LogLevel minimum = LogLevel.Trace, int capacity = int.MaxValue) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lines.Enqueue(line);
        while (lines.Count > capacity && lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= logs.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                logs.Add($"{category} {logLevel}: {formatter(state, exception)} {exception}");
        }
    }

    private LogLevel Minimum => minimum;
}
