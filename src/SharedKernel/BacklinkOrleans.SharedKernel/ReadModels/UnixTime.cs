namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>Read models keep instants as unix microseconds (one column type and one SQL for both databases).</summary>
public static class UnixTime
{
    public static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicroseconds(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    public static long? ToMicroseconds(DateTimeOffset? time) => time is { } t ? ToMicroseconds(t) : null;

    public static DateTimeOffset? FromMicroseconds(long? micros) => micros is { } m ? FromMicroseconds(m) : null;
}
