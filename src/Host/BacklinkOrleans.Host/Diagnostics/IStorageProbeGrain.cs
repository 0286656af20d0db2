namespace BacklinkOrleans.Host.Diagnostics;

/// <summary>
/// A deployment smoke test that exercises all three kinds of durable state at once: an event stream, grain state
/// and a reminder. Operators (and the restart tests) touch a probe, restart the Host, and read it back.
/// </summary>
public interface IStorageProbeGrain : IGrainWithStringKey
{
    /// <summary>Appends a note event, counts the write in grain state, and registers the probe reminder.</summary>
    Task<ProbeReport> TouchAsync(string note);

    /// <summary>What the probe holds now, and which activation answered.</summary>
    Task<ProbeReport> GetAsync();
}

[GenerateSerializer, Immutable, Alias("backlink-orleans.probe-report")]
public sealed record ProbeReport(
    [property: Id(0)] string Key,
    [property: Id(1)] IReadOnlyList<string> Notes,
    [property: Id(2)] int StateWrites,
    [property: Id(3)] int ReminderTicks,
    [property: Id(4)] bool ReminderRegistered,
    [property: Id(5)] string Silo,
    [property: Id(6)] Guid ActivationId);
