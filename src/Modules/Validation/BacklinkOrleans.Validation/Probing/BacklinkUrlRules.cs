using System.Net;
using BacklinkOrleans.SharedKernel.Http;
using FluentValidation;

namespace BacklinkOrleans.Validation.Probing;

/// <summary>What a backlink URL must be before anything is fetched from it.</summary>
internal sealed class BacklinkUrlRules : AbstractValidator<string>
{
    public const int MaxLength = BacklinkOrleans.SharedKernel.Urls.UrlNormalizer.MaxLength;

    public BacklinkUrlRules(IReadOnlyList<int> allowedPorts)
    {
        RuleFor(url => url).NotEmpty().WithMessage("The URL is empty.")
            .MaximumLength(MaxLength).WithMessage($"The URL is longer than {MaxLength} characters.")
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            .WithMessage("The URL must be absolute http or https.")
            .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.UserInfo.Length == 0)
            .WithMessage("The URL must not carry user-info (user:password@).")
            .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6)
                || AddressPolicy.IsPublic(IPAddress.Parse(u.Host.Trim('[', ']')), out _))
            .WithMessage("The URL's host is an IP address of a refused range (loopback, private, link-local, …).")
            .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var u) || allowedPorts.Contains(u.Port))
            .WithMessage($"The URL's port is not allowed (allowed: {string.Join(", ", allowedPorts)}).");
    }
}
