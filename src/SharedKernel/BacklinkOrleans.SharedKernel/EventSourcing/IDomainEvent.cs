namespace BacklinkOrleans.SharedKernel.EventSourcing;

/// <summary>An event of an event-sourced grain. Its id makes re-appending it idempotent.</summary>
public interface IDomainEvent
{
    Guid EventId { get; }
}
