using System.Text.Json;
using BacklinkOrleans.Reporting.Webhooks;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.Integration;

namespace BacklinkOrleans.Reporting.Tests;

/// <summary>
/// The published events' JSON is a contract with outside consumers: one snapshot per alias. A renamed or removed
/// property fails here; a changed shape needs a new alias (…v2) published beside the old one.
/// </summary>
public sealed class IntegrationEventContractTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public static readonly TheoryData<string, IIntegrationEvent, string> Snapshots = new()
    {
        { "campaign.finished.v1", new CampaignFinished("acme", "c1", "Q4", "Acme", 5, 2, 2, 1, At),
            """{"tenant":"acme","campaignId":"c1","campaignName":"Q4","client":"Acme","backlinks":5,"indexed":2,"failed":2,"retired":1,"at":"2026-11-24T12:00:00+00:00"}""" },
        { "credential.invalid.v1", new CredentialInvalid("acme", "google", "sa-1", "sa:ab12", "403 forbidden", At),
            """{"tenant":"acme","channel":"google","quotaKey":"sa-1","fingerprint":"sa:ab12","detail":"403 forbidden","at":"2026-11-24T12:00:00+00:00"}""" },
        { "vendor.balance-low.v1", new VendorBalanceLow("acme", "vendor", "acct-1", 42, At),
            """{"tenant":"acme","channel":"vendor","quotaKey":"acct-1","balance":42,"at":"2026-11-24T12:00:00+00:00"}""" },
        { "quota.parked.v1", new QuotaParked("acme", "vendor", "acct-1", "no credits", At.AddMinutes(30), At),
            """{"tenant":"acme","channel":"vendor","quotaKey":"acct-1","reason":"no credits","until":"2026-11-24T12:30:00+00:00","at":"2026-11-24T12:00:00+00:00"}""" },
        { "url.dropped-out.v1", new UrlDroppedOut("acme", "h1", "https://blog.example/a", ["c1"], "not in the index", At),
            """{"tenant":"acme","urlHash":"h1","url":"https://blog.example/a","campaigns":["c1"],"detail":"not in the index","at":"2026-11-24T12:00:00+00:00"}""" },
        { "link.missing.v1", new LinkMissingDetected("acme", "h1", "https://blog.example/a", ["c1"], "https://client.example/", "no link", At),
            """{"tenant":"acme","urlHash":"h1","url":"https://blog.example/a","campaigns":["c1"],"target":"https://client.example/","evidence":"no link","at":"2026-11-24T12:00:00+00:00"}""" },
    };

    [Theory]
    [MemberData(nameof(Snapshots))]
    public void EachPublishedEvent_KeepsItsAliasAndJson(string alias, IIntegrationEvent e, string json)
    {
        Assert.Equal(alias, IntegrationEventTypes.AliasOf(e.GetType()));
        Assert.Equal(json, JsonSerializer.Serialize(e, e.GetType(), EventTypeRegistry.JsonOptions));
    }

    [Fact]
    public void EveryAlias_HasASnapshot() =>
        Assert.Equal(IntegrationEventTypes.Names.Order(), Snapshots.Select(row => (string)row[0]).Order());

    [Fact]
    public void APublishedId_DependsOnlyOnItsCause_SoARedeliveredBatchPublishesTheSameIds()
    {
        var cause = Guid.NewGuid();
        var e = new CampaignFinished("acme", "c1", "Q4", "Acme", 1, 1, 0, 0, At);
        Assert.Equal(PublishedEvent.Of(cause, e, "c1").Id, PublishedEvent.Of(cause, e, "c1").Id);
        Assert.NotEqual(PublishedEvent.Of(cause, e, "c1").Id, PublishedEvent.Of(cause, e, "c2").Id);
    }

    [Fact]
    public void TheWebhookBody_WrapsTheEventWithItsIdTypeAndTenant()
    {
        var published = PublishedEvent.Of(Guid.Empty, new VendorBalanceLow("acme", "vendor", "a1", 3, At), "x");
        var body = JsonDocument.Parse(WebhookOutbox.Body(published)).RootElement;
        Assert.Equal((published.Id.ToString(), "vendor.balance-low.v1", "acme", 3),
            (body.GetProperty("id").GetString(), body.GetProperty("type").GetString(), body.GetProperty("tenant").GetString(),
                body.GetProperty("data").GetProperty("balance").GetInt32()));
    }

    [Fact]
    public void ASignature_VerifiesWithTheSecret_AndNotWithAChangedBodyOrAfterTheTolerance()
    {
        var header = WebhookSignature.Sign("whsec_x", At, """{"a":1}""");
        Assert.True(WebhookSignature.Verify("whsec_x", header, """{"a":1}""", At.AddMinutes(1), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_x", header, """{"a":2}""", At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_y", header, """{"a":1}""", At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_x", header, """{"a":1}""", At.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_x", "t=1,v1=zz", """{"a":1}""", At, TimeSpan.FromDays(10_000)));
    }
}
