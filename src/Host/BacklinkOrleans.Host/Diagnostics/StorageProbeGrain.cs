using System.Collections.Immutable;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace BacklinkOrleans.Host.Diagnostics;

[GenerateSerializer, Immutable, Alias("backlink-orleans.probe-noted")]
public sealed record ProbeNoted(Guid EventId, string Note, DateTimeOffset At) : IDomainEvent;

[GenerateSerializer, Immutable, Alias("backlink-orleans.probe-notes")]
public sealed record ProbeNotes(ImmutableList<string> Notes)
{
    public static readonly ProbeNotes Empty = new([]);
}

/// <summary>Grain state of the probe: how often it was written and how often its reminder ticked.</summary>
[GenerateSerializer, Alias("backlink-orleans.probe-counters")]
public sealed class ProbeCounters
{
    [Id(0)] public int StateWrites { get; set; }
    [Id(1)] public int ReminderTicks { get; set; }
}

internal sealed class StorageProbeGrain(
    IEventStore store,
    EventTypeRegistry registry,
    TimeProvider time,
    IOptions<ReminderOptions> reminders,
    ILocalSiloDetails silo,
    [PersistentState("probe", StorageSiloBuilderExtensions.GrainStateStorage)] IPersistentState<ProbeCounters> counters)
    : EventSourcedGrain<ProbeNotes, ProbeNoted>(store, registry), IStorageProbeGrain, IRemindable
{
    public const string EventAlias = "diagnostics.probe-noted.v1";
    private const string ReminderName = "probe";
    private const int TicksToKeep = 5;
    private readonly Guid activationId = Guid.NewGuid();

    protected override ProbeNotes Initial => ProbeNotes.Empty;

    protected override string StreamId => $"probe/{this.GetPrimaryKeyString()}";

    protected override ProbeNotes Evolve(ProbeNotes state, ProbeNoted e) => state with { Notes = state.Notes.Add(e.Note) };

    public async Task<ProbeReport> TouchAsync(string note)
    {
        while (!await AppendAsync([new ProbeNoted(Guid.CreateVersion7(), note, time.GetUtcNow())]))
        {
            // another activation wrote the probe's stream meanwhile: it has been read again; note it on top
        }
        counters.State.StateWrites++;
        await counters.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromSeconds(1), reminders.Value.MinimumReminderPeriod);
        return await GetAsync();
    }

    public async Task<ProbeReport> GetAsync() => new(
        this.GetPrimaryKeyString(), Current.Notes, counters.State.StateWrites, counters.State.ReminderTicks,
        await this.GetReminder(ReminderName) is not null, silo.SiloAddress.ToString(), activationId);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        counters.State.ReminderTicks++;
        await counters.WriteStateAsync();
        if (counters.State.ReminderTicks >= TicksToKeep && await this.GetReminder(ReminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
    }
}
