namespace BacklinkOrleans.Submission.Lane;

/// <summary>
/// A quota window as a provider counts it: where the window containing an instant starts and when the next one
/// does. Windows never overlap; a limit applies to what is used (and reserved) within one window.
/// </summary>
internal abstract record QuotaWindow(string Name)
{
    /// <summary>The start of the window that contains <paramref name="at"/>.</summary>
    public abstract DateTimeOffset StartOf(DateTimeOffset at);

    /// <summary>The start of the window after the one that contains <paramref name="at"/>.</summary>
    public abstract DateTimeOffset NextAfter(DateTimeOffset at);

    /// <summary>The UTC day (IndexNow's common practice).</summary>
    public static readonly QuotaWindow UtcDay = new ZonedDay("utc-day", TimeZoneInfo.Utc);

    /// <summary>The day in America/Los_Angeles (Google's quotas reset at Pacific midnight): 23 or 25 hours at the DST changes.</summary>
    public static readonly QuotaWindow PacificDay = new ZonedDay("pacific-day", FindZone("America/Los_Angeles"));

    /// <summary>A clock minute (per-minute request limits).</summary>
    public static readonly QuotaWindow Minute = new Minutes("minute");

    public static QuotaWindow Named(string name) => name switch
    {
        "utc-day" => UtcDay,
        "pacific-day" => PacificDay,
        "minute" => Minute,
        _ => throw new ArgumentException($"No quota window '{name}'.", nameof(name)),
    };

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new InvalidOperationException($"The time zone {id} is not installed (Debian: apt-get install tzdata); Google's quotas are counted in it.", e);
        }
    }

    /// <summary>A calendar day in a time zone, from its local midnight to the next (DST-correct).</summary>
    private sealed record ZonedDay(string DayName, TimeZoneInfo Zone) : QuotaWindow(DayName)
    {
        public override DateTimeOffset StartOf(DateTimeOffset at) => Midnight(TimeZoneInfo.ConvertTime(at, Zone).Date);

        public override DateTimeOffset NextAfter(DateTimeOffset at) => Midnight(TimeZoneInfo.ConvertTime(at, Zone).Date.AddDays(1));

        /// <summary>The instant of local midnight of <paramref name="date"/> (midnight itself is never skipped by US DST, which changes at 2 am).</summary>
        private DateTimeOffset Midnight(DateTime date)
        {
            var local = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
            return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
        }
    }

    private sealed record Minutes(string MinuteName) : QuotaWindow(MinuteName)
    {
        public override DateTimeOffset StartOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

        public override DateTimeOffset NextAfter(DateTimeOffset at) => StartOf(at).AddMinutes(1);
    }
}

/// <summary>At most <see cref="Limit"/> units (URLs, requests) per <see cref="Window"/>.</summary>
internal sealed record QuotaLimit(QuotaWindow Window, int Limit);
