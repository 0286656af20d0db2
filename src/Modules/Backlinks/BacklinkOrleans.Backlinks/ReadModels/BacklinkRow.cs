using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>One row of the backlinks read model, and how each event changes it.</summary>
internal sealed record BacklinkRow(
    string Tenant, string UrlHash, string Url, string Host, string Campaign, string State, string? Reason,
    bool Retired, int Priority, DateTimeOffset CollectedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextActionAt, long Version)
{
    /// <summary>
    /// Folds one event. <c>next_action_at</c> follows the fast path: a URL that can take its next step now is due
    /// at once (the sweeper re-drives it if the silo dies before it does); a waiting URL is due at its next check;
    /// a failed or retired one never.
    /// </summary>
    public static BacklinkRow? Apply(BacklinkRow? row, IBacklinkEvent e, long version)
    {
        if (row is null)
            return e is BacklinkCollected c
                ? new BacklinkRow(c.Tenant, c.UrlHash, c.Url, c.Host, c.CampaignId, BacklinkState.CollectedName, null, false,
                    c.Priority, c.At, c.At, c.At, version)
                : null;
        var next = row with { UpdatedAt = e.At, Version = version };
        return e switch
        {
            BacklinkRouted => next with { NextActionAt = e.At },
            BacklinkValidated => next with { State = BacklinkState.ValidatedName, Reason = null, NextActionAt = e.At },
            BacklinkFailed f => next with { State = BacklinkState.FailedName, Reason = f.Reason, NextActionAt = null },
            SubmissionAttempted { HoldUntil: { } hold } when row.State == BacklinkState.ValidatedName => next with { NextActionAt = hold },
            ChannelDropped => next with { NextActionAt = e.At },
            BacklinkSubmitted s => next with { State = BacklinkState.SubmittedName, NextActionAt = s.NextCheckAt },
            IndexChecked c => next with { NextActionAt = c.NextCheckAt },
            BacklinkIndexed i => next with { State = BacklinkState.IndexedName, NextActionAt = i.NextCheckAt },
            RetryRequested => next with { State = BacklinkState.CollectedName, Reason = null, NextActionAt = e.At },
            BacklinkRetired => next with { Retired = true, NextActionAt = null },
            CheckRequested => next with { NextActionAt = e.At },
            _ => next,
        };
    }
}
