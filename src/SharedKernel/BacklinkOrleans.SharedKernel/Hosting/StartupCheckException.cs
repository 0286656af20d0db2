namespace BacklinkOrleans.SharedKernel.Hosting;

/// <summary>
/// A check at start-up that failed (a setting missing or out of range, a server that cannot serve this Host): the Host
/// does not start, prints "Configuration error: " and the message, which says what to change, and exits with 1.
/// </summary>
public sealed class StartupCheckException(string message) : Exception(message);
