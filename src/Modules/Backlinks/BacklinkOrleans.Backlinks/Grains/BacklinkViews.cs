using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.Lifecycle;

namespace BacklinkOrleans.Backlinks.Grains;

internal static class BacklinkViews
{
    /// <summary>The API view of a state at <paramref name="now"/>; null before collection.</summary>
    public static BacklinkView? ToView(BacklinkState state, long version, DateTimeOffset now)
    {
        if (state.FactsOrNull is not { } f)
            return null;
        var (channels, via, nextCheck, reason, detail) = state switch
        {
            BacklinkState.Collected s => (s.Channels, null, null, null, null),
            BacklinkState.Validated s => (s.Channels, null, null, null, null),
            BacklinkState.Submitted s => (s.Channels, s.Channel, s.NextCheckAt, null, null),
            BacklinkState.Indexed s => (null, s.Channel.Length == 0 ? null : s.Channel, s.NextCheckAt,
                s.Channel.Length == 0 ? IndexedReasons.AlreadyIndexed : null, null),
            BacklinkState.Failed s => ((IReadOnlyList<string>?)null, (string?)null, (DateTimeOffset?)null, s.Reason, s.Detail),
            _ => (null, null, null, null, null),
        };
        var next = BacklinkNextStep.Of(state, now);
        return new BacklinkView(f.UrlHash, f.Url, f.Host, state.Name, reason, detail, f.Retired, f.Campaign, f.Campaigns,
            channels, via, f.CollectedAt, f.UpdatedAt, f.Retired ? null : nextCheck, f.Priority, f.TargetUrl, f.Anchor, f.Note, version,
            next.Step, next.DueAt, next.DueAt > now ? next.WaitingFor : null, (state as BacklinkState.Indexed)?.IndexedAt,
            state is BacklinkState.Indexed { Facts.FirstAcceptedAt: { } accepted } indexed && indexed.Channel.Length > 0 ? indexed.IndexedAt - accepted : null,
            f.Link is { } link ? new LinkView(link.Present, link.Anchor, link.Rel, link.CheckedAt) : null);
    }
}
