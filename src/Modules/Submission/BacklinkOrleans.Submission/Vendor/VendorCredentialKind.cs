using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;

namespace BacklinkOrleans.Submission.Vendor;

/// <summary>
/// A paid vendor account: <c>apiKey</c>; optional <c>hosts</c> (the host names it may serve, each with its
/// subdomains; none: any host), <c>costPerUrl</c> and <c>costPerCheck</c> (what the agency pays per URL submitted and
/// checked; else Submission:Vendor's), and <c>lowBalance</c> (credits below which it shows as balance-low). Verified by
/// reading the account's balance.
/// </summary>
internal sealed partial class VendorCredentialKind(VendorClient client) : ICredentialKind
{
    public string Kind => CredentialKinds.Vendor;

    public string Describe =>
        "A paid indexing vendor's account: apiKey (16-128 characters of a-z, A-Z, 0-9, '_' and '-'); optional hosts (host names it may serve; "
        + "default any host), costPerUrl and costPerCheck (what one URL costs, 0 or more), lowBalance (credits below which it shows as low).";

    public CredentialDraft Read(JsonElement request)
    {
        var errors = new List<(string, string)>();
        var key = request.TryGetProperty("apiKey", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (key is null || !KeyFormat().IsMatch(key))
            errors.Add(("apiKey", "'apiKey' is the vendor's API key: 16-128 characters of a-z, A-Z, 0-9, '_' and '-'."));
        List<string>? hosts = null;
        if (request.TryGetProperty("hosts", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
                errors.Add(("hosts", "'hosts' is an array of host names such as example.com."));
            else
            {
                hosts = [];
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var host = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim().ToLowerInvariant().TrimEnd('.') : null;
                    if (string.IsNullOrEmpty(host) || !UrlNormalizer.TryNormalize($"https://{host}/", out var url, out _) || url.Host != host)
                        errors.Add(($"hosts[{i}]", "A host name such as example.com (no scheme, port or path); it covers its subdomains too."));
                    else
                        hosts.Add(host);
                    i++;
                }
            }
        }
        var costPerUrl = Money(request, "costPerUrl", errors);
        var costPerCheck = Money(request, "costPerCheck", errors);
        long? lowBalance = null;
        if (request.TryGetProperty("lowBalance", out var low) && low.ValueKind != JsonValueKind.Null)
        {
            if (low.TryGetInt64(out var n) && n >= 0)
                lowBalance = n;
            else
                errors.Add(("lowBalance", "'lowBalance' is a whole number of credits, 0 or more."));
        }
        if (errors.Count > 0)
            return CredentialDraft.Invalid([.. errors]);
        var scope = new CredentialScope(Hosts: hosts is { Count: > 0 } ? hosts.Distinct(StringComparer.Ordinal).ToList() : null,
            CostPerUrl: costPerUrl, CostPerCheck: costPerCheck, LowBalance: lowBalance);
        return CredentialDraft.Of(key!, scope, $"vendor:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key!)))[..8]}");
    }

    public string? UniqueKeyOf(CredentialScope scope) => null;

    public async Task<CredentialCheck?> VerifyAsync(CredentialView credential, string secret, CancellationToken cancellationToken)
    {
        var (balance, answer) = await client.BalanceAsync(secret, VendorService.Indexer, cancellationToken);
        return balance is { } credits ? new CredentialCheck(true, $"the vendor knows the key: {credits} indexer credits")
            : answer.KeyRefused ? new CredentialCheck(false, $"the vendor refused the key: {answer.Describe}")
            : new CredentialCheck(false, $"the vendor could not be asked now: {answer.Describe}", Definite: false);
    }

    private static decimal? Money(JsonElement request, string name, List<(string, string)> errors)
    {
        if (!request.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.TryGetDecimal(out var money) && money >= 0 && money <= 1_000)
            return money;
        errors.Add((name, $"'{name}' is what one URL costs: a number from 0 to 1000."));
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$")]
    private static partial Regex KeyFormat();
}
