using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Campaigns;

/// <summary>
/// The completion estimate as a pure function (ADR 0020): from the URLs not yet submitted, the drip-feed's pace when
/// the campaign drips, else the capacity of its first channel with quota (what the current window allows, then a
/// window's worth per window, after any hold), and the campaign's last follow-up. Recomputed whenever it is asked.
/// </summary>
internal static class CompletionEstimate
{
    public static CompletionEta Of(long remaining, DateTimeOffset? lastSubmittedSoFar, DripPace? drip, IReadOnlyList<ChannelCapacity> capacity,
        IReadOnlyList<TimeSpan> followUps, DateTimeOffset now)
    {
        var lastFollowUp = followUps.Count > 0 ? followUps.Max() : TimeSpan.Zero;
        if (remaining <= 0)
            return new CompletionEta(lastSubmittedSoFar, lastSubmittedSoFar + lastFollowUp, 0, "every URL is submitted (or failed)");
        DateTimeOffset? last;
        string basis;
        if (drip is { } pace)
        {
            // the URLs waiting for a slot hold those before the next free one; the rest come one interval apart after it
            var start = pace.NextSlot > now ? pace.NextSlot : now;
            var slotted = pace.NextSlot > now && pace.Interval > TimeSpan.Zero ? (long)((pace.NextSlot - now) / pace.Interval) : 0;
            last = start + (pace.Interval * Math.Max(0, remaining - slotted - 1));
            basis = $"drip-feed: one URL every {pace.Interval.TotalMinutes:0.#} min";
        }
        else if (capacity.FirstOrDefault(c => c.Quotas > 0) is not { } channel)
            return new CompletionEta(null, null, remaining, "no channel of the campaign has a credential to send with");
        else
            (last, basis) = ByQuota(remaining, channel, now);
        return new CompletionEta(last, last + lastFollowUp, remaining, basis);
    }

    private static (DateTimeOffset? Last, string Basis) ByQuota(long remaining, ChannelCapacity c, DateTimeOffset now)
    {
        var from = c.HeldUntil > now ? c.HeldUntil.Value : now;
        if (c.PerWindow is not { } perWindow || c.Window is not { } window || perWindow <= 0)
            return c.Balance is { } balance && balance < remaining
                ? (null, $"{c.Channel}: the balance ({balance} credits) does not cover the {remaining} URLs left")
                : (from, $"{c.Channel}: no window limits it");
        var left = Math.Max(0, remaining - (c.RemainingNow ?? 0));
        if (left == 0)
            return (from, $"{c.Channel}: fits in the current window");
        var windows = (left + perWindow - 1) / perWindow;
        var opens = c.NextWindowAt is { } next && next > from ? next : from;
        return (opens + (window * (windows - 1)), $"{c.Channel}: {perWindow} a window ({window.TotalHours:0.#} h), {windows} more window(s)");
    }
}
