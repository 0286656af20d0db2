namespace BacklinkOrleans.SharedKernel.Urls;

/// <summary>
/// An absolute http(s) URL in the normal form produced by <see cref="UrlNormalizer"/>. Two inputs that name the
/// same resource under RFC 3986 syntax- and scheme-based normalization have equal <see cref="Value"/>s and so
/// equal <see cref="Sha256"/>s.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.normalized-url")]
public sealed record NormalizedUrl(
    [property: Id(0)] string Value,
    [property: Id(1)] string Scheme,
    [property: Id(2)] string Host,
    [property: Id(3)] int Port,
    [property: Id(4)] string Path,
    [property: Id(5)] string? Query)
{
    /// <summary>Lowercase hex SHA-256 of <see cref="Value"/>: the dedupe key.</summary>
    public string Sha256 => UrlHashes.Sha256Hex(Value);

    public override string ToString() => Value;
}

/// <summary>Why an input could not be normalized. <see cref="Reason"/> is the stable reason code.</summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.url-rejection")]
public sealed record UrlRejection([property: Id(0)] string Reason, [property: Id(1)] string Detail)
{
    public const string InvalidUrl = "invalid-url";

    public static UrlRejection Invalid(string detail) => new(InvalidUrl, detail);

    public override string ToString() => $"{Reason}: {Detail}";
}
