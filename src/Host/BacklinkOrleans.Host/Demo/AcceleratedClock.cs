using System.Diagnostics;

namespace BacklinkOrleans.Host.Demo;

/// <summary>
/// The demo's clock: simulated time runs <see cref="Factor"/> times faster than real time from <see cref="Start"/>, and
/// timers created on it fire after their simulated delay divided by the factor (at least <see cref="MinimumRealDelay"/>
/// apart, so a one-second pump does not spin). It drives the domain (schedules, quota windows, the Sandbox's search
/// index, grain timers); the wire (HTTP timeouts and retries, Orleans' own machinery) stays on real time.
/// </summary>
internal sealed class AcceleratedClock : TimeProvider
{
    public static readonly TimeSpan MinimumRealDelay = TimeSpan.FromMilliseconds(10);
    private readonly long origin = Stopwatch.GetTimestamp();

    public AcceleratedClock(double factor, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        (Factor, Start) = (factor, start);
    }

    public double Factor { get; }

    public DateTimeOffset Start { get; }

    /// <summary>Simulated time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    public override DateTimeOffset GetUtcNow() => Start + TimeSpan.FromTicks((long)(Stopwatch.GetElapsedTime(origin).Ticks * Factor));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(this, callback, state, dueTime, period);

    /// <summary>The real delay of a simulated one (infinite stays infinite; zero stays zero).</summary>
    public TimeSpan ToReal(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan ? simulated
        : simulated <= TimeSpan.Zero ? TimeSpan.Zero
        : TimeSpan.FromTicks(Math.Max(MinimumRealDelay.Ticks, (long)(simulated.Ticks / Factor)));

    /// <summary>The simulated span that lasts <paramref name="real"/> (infinite stays infinite; past the largest span, the largest).</summary>
    public TimeSpan FromReal(TimeSpan real) =>
        real == Timeout.InfiniteTimeSpan ? real
        : real.Ticks * Factor >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue
        : TimeSpan.FromTicks((long)(real.Ticks * Factor));

    private sealed class ScaledTimer : ITimer
    {
        private readonly AcceleratedClock clock;
        private readonly Timer timer;

        public ScaledTimer(AcceleratedClock clock, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            this.clock = clock;
            timer = new Timer(callback, state, clock.ToReal(dueTime), clock.ToReal(period));
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(clock.ToReal(dueTime), clock.ToReal(period));

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
