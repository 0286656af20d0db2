using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Lifecycle;

/// <summary>
/// Link-rot, part of the decider (pure): each follow-up's look at the page is recorded; a change from what was last
/// seen — gone, back, or another rel — is an event of its own. Validation saw the link present (a page without it
/// fails validation), so that is where a backlink starts; an unreadable page changes nothing.
/// </summary>
internal static class LinkRot
{
    public static Decision Decide(BacklinkFacts facts, string target, BacklinkCommand.RecordLinkCheck command, Func<Guid> newId)
    {
        var (o, now) = (command.Observation, command.Now);
        var events = new List<IBacklinkEvent> { new LinkChecked(newId(), target, o.Reachable, o.Present, o.Anchor, o.Rel, o.Evidence, now) };
        var before = facts.Link ?? new LinkSeen(true, null, null, facts.CollectedAt);
        if (o.Reachable)
        {
            if (before.Present && !o.Present)
                events.Add(new LinkMissing(newId(), target, o.Evidence, now));
            else if (!before.Present && o.Present)
                events.Add(new LinkRestored(newId(), target, o.Anchor, o.Rel, now));
            else if (o.Present && before.Rel is not null && before.Rel != (o.Rel ?? ""))
                events.Add(new LinkRelChanged(newId(), target, before.Rel, o.Rel, o.Anchor, now));
        }
        return Decision.Accept([.. events]);
    }

    /// <summary>
    /// Whether the page's link is to be looked at before the index check that is due: a backlink that names a target,
    /// after its submission, not yet looked at since that check fell due (a check that waits in a queue is not a new one).
    /// </summary>
    public static bool Due(BacklinkState state) =>
        state switch
        {
            BacklinkState.Submitted { NextCheckAt: { } due } s => NotSeenSince(s.Facts, due),
            BacklinkState.Indexed { NextCheckAt: { } due } s => NotSeenSince(s.Facts, due),
            _ => false,
        };

    private static bool NotSeenSince(BacklinkFacts facts, DateTimeOffset due) =>
        facts is { TargetUrl: not null, Retired: false } && (facts.Link?.CheckedAt is not { } last || last < due);
}
