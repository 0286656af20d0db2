using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Submission.Contracts;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>The key grain's key: read when due, and found usable again after the engine refused it.</summary>
internal sealed partial class IndexNowKeyGrain
{
    /// <summary>The key, read again when older than a minute — or two seconds while it is missing, unreadable or refused.</summary>
    private async Task<KeyLookup> CurrentKeyAsync(DateTimeOffset now)
    {
        if (keyTask is { IsFaulted: true })
            keyTask = null; // the directory failed (a database restart): ask again
        if (keyTask is { IsCompletedSuccessfully: true } done)
        {
            var lookup = done.Result;
            var unusable = lookup.Key is null || (Ledger.KeyState == KeyStates.Invalid && !restored);
            if (lookup.LoadedAt + (unusable ? UnusableKeyTtl : CredentialTtl) < now)
                keyTask = null;
        }
        return await (keyTask ??= keys.LoadAsync(tenant, host, now));
    }

    /// <summary>Whether a key the engine refused has been verified again since, or replaced.</summary>
    private bool Restorable(SendingKey key) =>
        Ledger.KeyState == KeyStates.Invalid && !restored
        && (key.Credential.Fingerprint != Ledger.Fingerprint
            || (key.Credential.Status == CredentialStatuses.Verified && key.Credential.VerifiedAt > Ledger.KeyStateSince));

    /// <summary>Reads the key when due and records a key that became usable again (the pump is the ledger's writer).</summary>
    private async Task RefreshKeyAsync(DateTimeOffset now)
    {
        var lookup = await CurrentKeyAsync(now);
        if (lookup.Key is { } key && Restorable(key))
            restored = true;
        if (!restored)
            return;
        (Ledger.KeyState, Ledger.KeyDetail, Ledger.KeyStateSince, Ledger.Fingerprint) = (KeyStates.Ok, null, now, lookup.Key?.Credential.Fingerprint ?? Ledger.Fingerprint);
        restored = false;
        dirty = true;
        LogKeyRestored(logger, this.GetPrimaryKeyString());
    }
}
