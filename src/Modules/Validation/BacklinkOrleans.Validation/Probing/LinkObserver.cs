using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Validation.Probing;

/// <summary>
/// The link-check port: fetches the backlink page again (through the guarded client, as validation does) and says
/// whether it still links to the campaign's target, with which anchor text and rel (nofollow, ugc, sponsored). A page
/// that is gone (404/410, noindex, a redirect elsewhere) carries no link; one that cannot be read now (5xx, no
/// answer) tells nothing.
/// </summary>
internal sealed class LinkObserver(PageProbe probe) : ILinkCheckPort
{
    public async Task<LinkObservation?> CheckLinkAsync(BacklinkSnapshot backlink, CancellationToken cancellationToken)
    {
        if (backlink.TargetUrl is null)
            return null;
        var page = await probe.ProbeAsync(backlink.Url, backlink.TargetUrl, cancellationToken);
        return page switch
        {
            { Link: { } link } => new LinkObservation(true, true, link.Anchor, link.Rel, page.Evidence),
            { PageRead: true } => new LinkObservation(true, false, null, null, page.Verdict?.Detail is { } detail ? $"{detail}; {page.Evidence}" : page.Evidence),
            { Verdict.Reason: FailureReasons.HttpNotFound or FailureReasons.RedirectOffHost or FailureReasons.Noindex or FailureReasons.Soft404 } =>
                new LinkObservation(true, false, null, null, $"the page is gone ({page.Verdict.Reason}: {page.Verdict.Detail}); {page.Evidence}"),
            _ => new LinkObservation(false, false, null, null, page.Verdict?.Detail ?? page.Evidence),
        };
    }
}
