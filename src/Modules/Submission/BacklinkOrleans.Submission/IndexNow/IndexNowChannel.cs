using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using BacklinkOrleans.Submission.Channels;
using BacklinkOrleans.Submission.Lane;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Submission.IndexNow;

/// <summary>
/// IndexNow on the lane: a key covers exactly its host (with a keyLocation, only that file's folder and below), a quota
/// per key (the host) of 10,000 URLs per UTC day, batches of up to 10,000 URLs POSTed to one endpoint (they share
/// submissions), bingbot's robots.txt rules. An unexpected 400/422 is bisected to find its URLs; 403 refuses the key.
/// </summary>
internal sealed class IndexNowChannel(IndexNowClient client, IOptions<IndexNowOptions> options) : IChannel
{
    public const string Name = CredentialKinds.IndexNow;

    /// <summary>The IndexNow endpoints (they share submissions); a key is sent to one.</summary>
    public static readonly IReadOnlyList<string> Endpoints =
        ["api.indexnow.org", "www.bing.com", "yandex.com", "search.seznam.cz", "searchadvisor.naver.com", "indexnow.yep.com"];

    public ChannelDescriptor Descriptor { get; } = new(Name, ChannelPurpose.Submit, CredentialKinds.IndexNow, "bingbot", IndexNowOptions.MaxUrlsPerPost);

    public LaneOptions Options => options.Value;

    public IReadOnlyList<QuotaLimit> Limits => [new(QuotaWindow.UtcDay, options.Value.DailyLimit)];

    public bool Covers(CredentialView credential, NormalizedUrl url) => IndexNowKeyScope.Covers(credential.Scope, url);

    public IEnumerable<string> CoverageKeys(CredentialView credential) => credential.Scope.Host is { } host ? [host] : [];

    public string QuotaKeyOf(CredentialView credential) => credential.Scope.Host!;

    public async Task<SendOutcome> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var scope = send.Credential.Scope;
        var answer = await client.PostAsync(scope.Endpoint ?? Endpoints[0], scope.Host!, send.Secret, IndexNowKeyScope.KeyLocation(scope, send.Secret),
            [.. send.Items.Select(i => i.Url)], cancellationToken);
        return AnswerRules.Classify(answer, send.Items.Count);
    }
}
