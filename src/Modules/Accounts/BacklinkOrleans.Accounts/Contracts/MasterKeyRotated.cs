namespace BacklinkOrleans.Accounts.Contracts;

/// <summary>What a master key rotation changed (ADR 0023): the keys' ids, the key-ring entries encrypted again, the events rehashed.</summary>
public sealed record MasterKeyRotated(string OldKeyId, string NewKeyId, string OldChainKeyId, string NewChainKeyId, int KeyRingEntries, long EventsRehashed);
