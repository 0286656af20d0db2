using BacklinkOrleans.Submission.Lane;
using static BacklinkOrleans.Submission.Tests.Lane.QuotaLedgerSpec;

namespace BacklinkOrleans.Submission.Tests.Lane;

public sealed partial class QuotaLedgerDeciderTests
{
    private static CredentialStateChanged? Change(QuotaLedger ledger, string state, string? fingerprint, DateTimeOffset? at = null) =>
        QuotaLedgerDecider.ChangeCredential(ledger, state, state == CredentialStates.Invalid ? "HTTP 403" : null, fingerprint, at ?? T0, Ids());

    private static QuotaLedger Refused() => Given(new CredentialStateChanged(Guid.NewGuid(), CredentialStates.Invalid, "HTTP 403", Fingerprint, T0));

    [Fact]
    public void GivenAUsableCredential_WhenTheServiceRefusesIt_ThenItIsInvalid_SinceThen_AndWhy()
    {
        var changed = Change(Given(), CredentialStates.Invalid, Fingerprint, T0.AddMinutes(1));

        var pace = Given(changed!).Pace;
        Assert.Equal((CredentialStates.Invalid, "HTTP 403", T0.AddMinutes(1), Fingerprint),
            (pace.CredentialState, pace.CredentialDetail, pace.CredentialSince!.Value, pace.Fingerprint));
    }

    [Fact]
    public void GivenARefusedCredential_WhenRefusedAgain_ThenNothing()
    {
        Assert.Null(Change(Refused(), CredentialStates.Invalid, Fingerprint));
        Assert.Null(Change(Refused(), CredentialStates.Invalid, null));
    }

    [Fact]
    public void GivenARefusedCredential_WhenVerifiedAgain_ThenItIsUsable()
    {
        var restored = Change(Refused(), CredentialStates.Ok, Fingerprint, T0.AddHours(1));

        var pace = QuotaLedger.Evolve(Refused(), restored!).Pace;
        Assert.Equal((CredentialStates.Ok, null, T0.AddHours(1)), (pace.CredentialState, pace.CredentialDetail, pace.CredentialSince!.Value));
    }

    [Fact]
    public void GivenARefusedCredential_WhenReplacedByAnother_ThenTheOtherIsUsable_AndItsFingerprintIsRecorded()
    {
        var replaced = Change(Refused(), CredentialStates.Ok, "key:99999999");

        Assert.Equal((CredentialStates.Ok, "key:99999999"), (QuotaLedger.Evolve(Refused(), replaced!).Pace.CredentialState, QuotaLedger.Evolve(Refused(), replaced!).Pace.Fingerprint));
    }

    [Fact]
    public void GivenAUsableCredential_WhenAnotherTakesItsPlace_ThenTheNewFingerprintIsRecorded()
    {
        var usable = Given(new CredentialStateChanged(Guid.NewGuid(), CredentialStates.Ok, null, Fingerprint, T0));

        Assert.Null(Change(usable, CredentialStates.Ok, Fingerprint));
        Assert.Equal("key:99999999", Change(usable, CredentialStates.Ok, "key:99999999")!.Fingerprint);
    }
}
