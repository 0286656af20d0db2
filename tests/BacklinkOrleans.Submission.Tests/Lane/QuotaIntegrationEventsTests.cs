using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Integration;
using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>What the quota ledgers publish: each state an agency must hear about once, however many answers repeat it.</summary>
public sealed class QuotaIntegrationEventsTests
{
    private static readonly EventTypeRegistry Registry = new(SubmissionModule.QuotaEventTypes.Select(t => new EventTypeRegistration(t.Alias, t.Type, t.Snapshot)));
    private const string Stream = "quota/acme/vendor/acct-1";

    private static List<PublishedEvent> Publish(params IQuotaEvent[] events)
    {
        var translator = new QuotaIntegrationEvents(Registry);
        return [.. events.Select((e, i) => Registry.ToEventData(e)).Select((d, i) =>
            new StoredEvent(i + 1, d.EventId, Stream, i + 1, d.Type, d.Data, d.Metadata, T0)).SelectMany(translator.Translate)];
    }

    [Fact]
    public void ABalanceThatStaysLow_IsPublishedOnce_PerTimeItFellLow()
    {
        // Decided as the grain decides: the first low answer starts the state; later low answers keep its start.
        var ledger = Given(Reserved("b1", 1));
        var first = Settle(ledger, "b1", Ok with { Balance = 50, BalanceLow = true }, T0)!;
        ledger = Given(Reserved("b1", 1), first, Reserved("b2", 1, T0.AddMinutes(1)));
        var second = Settle(ledger, "b2", Ok with { Balance = 40, BalanceLow = true }, T0.AddMinutes(1))!;
        ledger = QuotaLedger.Evolve(QuotaLedger.Evolve(ledger, second), Reserved("b3", 1, T0.AddMinutes(2)));
        var toppedUp = Settle(ledger, "b3", Ok with { Balance = 5000, BalanceLow = false }, T0.AddMinutes(2))!;

        var published = Publish(first, second, toppedUp);

        var low = Assert.Single(published);
        Assert.Equal("vendor.balance-low.v1", low.Type);
        Assert.Equal(("acme", "vendor", "acct-1", 50L), ((VendorBalanceLow)low.Event) is var v ? (v.Tenant, v.Channel, v.QuotaKey, v.Balance!.Value) : default);
    }

    [Fact]
    public void AParkRepeatedByLaterAnswers_HasOneId()
    {
        var parked = new PaceState(ParkedUntil: T0.AddMinutes(30), ParkReason: "no credits");
        var published = Publish(Accepted("b1", 1, T0, parked), Accepted("b2", 1, T0.AddMinutes(1), parked));
        Assert.Equal(2, published.Count);
        Assert.Single(published.Select(p => p.Id).Distinct());
        Assert.All(published, p => Assert.Equal("quota.parked.v1", p.Type));
    }

    [Fact]
    public void ACredentialRefused_IsPublished_ButNotItsRestoration()
    {
        var published = Publish(
            new CredentialStateChanged(Guid.NewGuid(), CredentialStates.Invalid, "401", "key:1", T0),
            new CredentialStateChanged(Guid.NewGuid(), CredentialStates.Ok, null, "key:1", T0.AddHours(1)));
        var invalid = (CredentialInvalid)Assert.Single(published).Event;
        Assert.Equal(("vendor", "401"), (invalid.Channel, invalid.Detail));
    }
}
