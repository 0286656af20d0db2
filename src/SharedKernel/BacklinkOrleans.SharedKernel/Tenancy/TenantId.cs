using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace BacklinkOrleans.SharedKernel.Tenancy;

/// <summary>
/// Identifies an agency (tenant). A lowercase slug: it appears in grain keys and stream ids, so it may not
/// contain the '/' separator and is limited in length.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.tenant-id")]
public readonly partial record struct TenantId
{
    public const int MaxLength = 63;

    [Id(0)] public string Value { get; }

    private TenantId(string value) => Value = value;

    /// <summary>Creates a tenant id, throwing <see cref="ArgumentException"/> with the reason when it is malformed.</summary>
    public static TenantId From(string value) =>
        TryFrom(value, out var id, out var error) ? id : throw new ArgumentException(error, nameof(value));

    public static bool TryFrom(string? value, out TenantId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "a tenant id is required";
            return false;
        }
        if (!Slug().IsMatch(value))
        {
            error = $"tenant id '{value}' must be 1-{MaxLength} characters of a-z, 0-9 and '-', starting with a letter or digit";
            return false;
        }
        id = new TenantId(value);
        error = null;
        return true;
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();
}
