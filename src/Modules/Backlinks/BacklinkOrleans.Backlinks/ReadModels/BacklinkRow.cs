using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>One row of the backlinks read model, and how each event changes it.</summary>
internal sealed record BacklinkRow(
    string Tenant, string UrlHash, string Url, string Host, string Campaign, string State, string? Reason,
    bool Retired, int Priority, DateTimeOffset CollectedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextActionAt, long Version,
    string? WaitingFor = null)
{
    /// <summary>The scheduler shard byte of a backlink: the first byte of its hash (0-255).</summary>
    public int Shard => Shards.Of(UrlHash);

    /// <summary>
    /// Folds one event. <c>next_action_at</c> is when the scheduler shards must look at the backlink: the time its next
    /// step is due (<see cref="BacklinkNextStep"/>) — or, when that step is due at once and the fast path's self calls
    /// take it, <paramref name="fastPathGrace"/> later, so a crash cannot strand it and a healthy run is not driven twice;
    /// null when nothing is pending (failed, retired).
    /// </summary>
    public static BacklinkRow? Apply(BacklinkRow? row, IBacklinkEvent e, long version, TimeSpan fastPathGrace)
    {
        if (row is null)
            return e is BacklinkCollected c
                ? new BacklinkRow(c.Tenant, c.UrlHash, c.Url, c.Host, c.CampaignId, BacklinkState.CollectedName, null, false,
                    c.Priority, c.At, c.At, c.At + fastPathGrace, version)
                : null;
        var next = row with { UpdatedAt = e.At, Version = version, WaitingFor = null };
        var soon = e.At + fastPathGrace;
        return e switch
        {
            BacklinkRouted => next with { NextActionAt = soon },
            BacklinkValidated => next with { State = BacklinkState.ValidatedName, Reason = null, NextActionAt = soon },
            BacklinkFailed f => next with { State = BacklinkState.FailedName, Reason = f.Reason, NextActionAt = null },
            BacklinkWaiting w when row.NextActionAt is not null => next with { NextActionAt = w.Until, WaitingFor = w.Reason },
            SubmissionQueued q => next with { NextActionAt = q.LookAgainAt, WaitingFor = q.Detail },
            SubmissionAttempted { HoldUntil: { } hold } a when row.State == BacklinkState.ValidatedName =>
                next with { NextActionAt = hold, WaitingFor = BacklinkNextStep.HeldBy(a.Channel, hold) },
            SubmissionAttempted => next with { WaitingFor = row.WaitingFor },
            ChannelDropped => next with { NextActionAt = soon },
            BacklinkSubmitted s => next with { State = BacklinkState.SubmittedName, Reason = null, NextActionAt = Due(s.NextCheckAt, s.At, fastPathGrace) },
            IndexChecked { Stage: CheckStages.PreCheck } => next with { NextActionAt = soon }, // submitted next, unless indexed
            IndexChecked c => next with { NextActionAt = Due(c.NextCheckAt, c.At, fastPathGrace) },
            PreCheckSkipped => next with { NextActionAt = soon },
            BacklinkIndexed i => next with
            {
                State = BacklinkState.IndexedName, Reason = i.AlreadyIndexed ? IndexedReasons.AlreadyIndexed : null,
                NextActionAt = Due(i.NextCheckAt, i.At, fastPathGrace),
            },
            RecoveryStarted r => next with { State = BacklinkState.ValidatedName, Reason = null, NextActionAt = r.NotBefore is { } hold && hold > soon ? hold : soon },
            RetryRequested => next with { State = BacklinkState.CollectedName, Reason = null, NextActionAt = soon },
            BacklinkRetired r => next with { Retired = true, NextActionAt = r.WithdrawFrom is null ? null : soon }, // due until its withdrawal is queued
            WithdrawalQueued => next with { NextActionAt = null },
            CheckRequested => next with { NextActionAt = soon },
            BacklinkJoinedCampaign => next with { WaitingFor = row.WaitingFor },
            _ => next,
        };
    }

    /// <summary>A step due at once is the fast path's: the shards look after the grace; a later one, when it is due.</summary>
    private static DateTimeOffset? Due(DateTimeOffset? due, DateTimeOffset at, TimeSpan fastPathGrace) =>
        due is { } d && d <= at ? at + fastPathGrace : due;
}

/// <summary>Backlinks are spread over the scheduler shards by the first byte of their hash.</summary>
internal static class Shards
{
    public const int Bytes = 256;

    public static int Of(string urlHash) => (HexValue(urlHash[0]) << 4) | HexValue(urlHash[1]);

    private static int HexValue(char c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
