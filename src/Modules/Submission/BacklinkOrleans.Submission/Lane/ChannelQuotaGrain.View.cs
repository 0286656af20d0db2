using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>The quota grain as the Quota API shows it: windows, state, queue.</summary>
internal sealed partial class ChannelQuotaGrain
{
    public Task<QuotaView> GetQuotaAsync()
    {
        var now = time.GetUtcNow();
        var ledger = Current;
        var windows = channel.Limits.Select(l =>
        {
            var used = ledger.UsedIn(l.Window, now);
            var resets = l.Window.NextAfter(now);
            return new QuotaWindowView(l.Window.Name, l.Limit, used, Math.Max(0, l.Limit - used - ledger.Reserved), resets,
                Local(l.Window, resets));
        }).ToList();
        var (state, detail) = ledger switch
        {
            { Pace.CredentialState: CredentialStates.Invalid } => (QuotaStates.Invalid, ledger.Pace.CredentialDetail),
            { Pace.ParkedUntil: { } parked } when parked > now => (QuotaStates.Parked, ledger.Pace.ParkReason),
            { Pace.BackoffUntil: { } until } when until > now =>
                (QuotaStates.BackingOff, $"{ledger.Pace.Consecutive429} × 429, {ledger.Pace.ConsecutiveFailures} × other failures in a row"),
            _ when windows.Any(w => w.Remaining == 0 && ledger.Reserved == 0) => (QuotaStates.Exhausted, "This window's quota is spent; queued URLs wait for the next."),
            { Pace.CredentialState: CredentialStates.Pending } => (QuotaStates.Pending, ledger.Pace.CredentialDetail),
            { Pace: { BalanceLow: true, Balance: { } balance } } => (QuotaStates.BalanceLow, $"{balance} credits left: below the credential's low-balance threshold"),
            _ => (QuotaStates.Ok, null),
        };
        return Task.FromResult(new QuotaView(channel.Descriptor.Name, quotaKey, ledger.Pace.Fingerprint, windows, ledger.Reserved, state, detail,
            ledger.Pace.BackoffUntil > now ? ledger.Pace.BackoffUntil : null, ledger.Pace.ParkedUntil > now ? ledger.Pace.ParkedUntil : null,
            queue.Count + bisections.UrlCount, QuotaLedgerDecider.BatchSize(ledger.Pace, Options), ledger.Outbox.Sum(a => a.Undelivered.Count),
            ledger.Pace.Balance, ledger.Awaited.Sum(a => a.Items.Count)));
    }

    private static string Local(QuotaWindow window, DateTimeOffset at) => window.Name switch
    {
        "pacific-day" => TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles")).ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture) + " (America/Los_Angeles)",
        _ => at.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC",
    };
}
