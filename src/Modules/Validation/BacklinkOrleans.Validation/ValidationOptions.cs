namespace BacklinkOrleans.Validation;

/// <summary>Validation settings (section "Validation").</summary>
public sealed class ValidationOptions
{
    /// <summary>How long a fetched robots.txt is used before it is fetched again.</summary>
    public TimeSpan RobotsCacheFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After an unreadable robots.txt (5xx, no connection), fetch it again after this long.</summary>
    public TimeSpan RobotsRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unreadable fetches in a row before a URL fails with robots-unreachable.</summary>
    public int RobotsAttempts { get; set; } = 3;
}
