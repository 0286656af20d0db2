using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Channels;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Submission.Lane;

/// <summary>The quota grain's credentials: read when due, and found usable again after the service refused them.</summary>
internal sealed partial class ChannelQuotaGrain
{
    private static readonly TimeSpan CredentialTtl = TimeSpan.FromMinutes(1);
    /// <summary>A stored change wakes the grain at once (<see cref="QuotaWakeListener"/>); this read is the fallback for a notice lost with its silo.</summary>
    private static readonly TimeSpan UnusableCredentialTtl = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, Task<CredentialLookup>> lookups = new(StringComparer.Ordinal);

    /// <summary>A credential, read again when older than a minute — or 30 seconds while it is missing, unreadable or refused — and whenever a change of it wakes the grain.</summary>
    private async Task<CredentialLookup> CredentialAsync(string credentialId, DateTimeOffset now)
    {
        if (lookups.TryGetValue(credentialId, out var task))
        {
            if (task.IsFaulted)
                lookups.Remove(credentialId); // the directory failed (a database restart): ask again
            else if (task.IsCompletedSuccessfully)
            {
                var lookup = task.Result;
                var unusable = lookup.Credential is null || Refused(lookup.Credential.Credential);
                if (lookup.LoadedAt + (unusable ? UnusableCredentialTtl : CredentialTtl) < now)
                    lookups.Remove(credentialId);
            }
        }
        if (!lookups.TryGetValue(credentialId, out task))
            lookups[credentialId] = task = credentials.LoadAsync(tenant, credentialId, now);
        return await task;
    }

    private void ForgetCredentials() => lookups.Clear();

    /// <summary>The service refused this credential, and it was neither verified again since nor replaced.</summary>
    private bool Refused(CredentialView credential) =>
        Current.Pace.CredentialState == CredentialStates.Invalid && credential.Fingerprint == Current.Pace.Fingerprint
        && !(credential.Status == CredentialStatuses.Verified && credential.VerifiedAt > Current.Pace.CredentialSince);

    /// <summary>Why no URL can be sent with this credential, if so: it is gone, or the service refused it.</summary>
    private (string Reason, string Detail)? Unusable(CredentialLookup lookup) =>
        lookup.Credential is null ? (FailureReasons.NoChannel, $"The tenant's {channel.Descriptor.Name} credential for {quotaKey} was removed.")
        : Refused(lookup.Credential.Credential) ? (FailureReasons.KeyInvalid, Current.Pace.CredentialDetail ?? $"{channel.Descriptor.Name} refused the credential.")
        : null;

    /// <summary>Records a refused credential that became usable again (verified again, or replaced by another).</summary>
    private async Task RefreshCredentialsAsync(DateTimeOffset now)
    {
        if (Current.Pace.CredentialState != CredentialStates.Invalid)
            return;
        var current = queue.Head?.CredentialId ?? Current.InFlight.FirstOrDefault()?.CredentialId;
        if (current is null)
            return;
        var lookup = await CredentialAsync(current, now);
        if (lookup.Credential is not { } credential || Refused(credential.Credential))
            return;
        var restored = QuotaLedgerDecider.ChangeCredential(Current, CredentialStates.Ok, null, credential.Credential.Fingerprint, now, Guid.CreateVersion7);
        if (restored is not null && await AppendAsync([restored]))
            LogCredentialRestored(logger, Key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota {Key}: the credential was verified again or replaced; sending resumes")]
    private static partial void LogCredentialRestored(ILogger logger, string key);
}
