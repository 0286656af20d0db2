using System.Text.Json;
using System.Text.RegularExpressions;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Urls;
using FluentValidation;

namespace BacklinkOrleans.Accounts.Credentials;

internal sealed partial class CredentialValidator : AbstractValidator<AddCredentialRequest>
{
    public CredentialValidator()
    {
        RuleFor(r => r.Kind).NotEmpty()
            .Must(k => k is CredentialKinds.IndexNow or CredentialKinds.Google or CredentialKinds.Vendor)
            .WithMessage("'kind' is one of indexnow, google, vendor.");
        RuleFor(r => r.Label).MaximumLength(200);

        When(r => r.Kind == CredentialKinds.IndexNow, () =>
        {
            RuleFor(r => r.Host).NotEmpty().Must(h => UrlNormalizer.TryNormalize($"https://{h}/", out var u, out _) && u.Host == h!.Trim().ToLowerInvariant().TrimEnd('.'))
                .WithMessage("'host' is a host name such as www.example.com (no scheme, port or path).");
            RuleFor(r => r.Key).NotEmpty().Matches(KeyFormat()).WithMessage("An IndexNow key is 8-128 characters of a-z, A-Z, 0-9 and '-'.");
            RuleFor(r => r.KeyLocation)
                .Must((r, location) => location is null || (UrlNormalizer.TryNormalize(location, out var u, out _) && u.Host == r.Host?.Trim().ToLowerInvariant()))
                .WithMessage("'keyLocation' is a URL of the key file on the same host.");
            RuleFor(r => r.Endpoint).Must(e => e is null || CredentialKinds.IndexNowEndpoints.Contains(e))
                .WithMessage($"'endpoint' is one of {string.Join(", ", CredentialKinds.IndexNowEndpoints)}.");
        });

        When(r => r.Kind == CredentialKinds.Google, () =>
        {
            RuleFor(r => r.ServiceAccountJson).NotEmpty().Must(BeAServiceAccount)
                .WithMessage("'serviceAccountJson' is a Google service account key (JSON with type \"service_account\", client_email and private_key).");
            RuleFor(r => r.Properties).NotEmpty().WithMessage("List the Search Console properties the service account owns.");
            RuleForEach(r => r.Properties).Must(BeAProperty)
                .WithMessage("A property is 'sc-domain:example.com' or a URL prefix such as 'https://www.example.com/'.");
        });

        When(r => r.Kind == CredentialKinds.Vendor, () =>
            RuleFor(r => r.ApiKey).NotEmpty().MaximumLength(500));
    }

    internal static bool BeAServiceAccount(string? json)
    {
        try
        {
            using var document = JsonDocument.Parse(json ?? "");
            var root = document.RootElement;
            return root.TryGetProperty("type", out var type) && type.GetString() == "service_account"
                && root.TryGetProperty("client_email", out var email) && email.GetString()?.Contains('@') == true
                && root.TryGetProperty("private_key", out var key) && key.GetString()?.Contains("PRIVATE KEY", StringComparison.Ordinal) == true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static bool BeAProperty(string? property) =>
        property is not null && (property.StartsWith("sc-domain:", StringComparison.Ordinal)
            ? UrlNormalizer.TryNormalize($"https://{property["sc-domain:".Length..]}/", out _, out _)
            : UrlNormalizer.TryNormalize(property, out var prefix, out _) && prefix.Value == property && property.EndsWith('/'));

    [GeneratedRegex("^[a-zA-Z0-9-]{8,128}$")]
    private static partial Regex KeyFormat();
}
