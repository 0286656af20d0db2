namespace BacklinkOrleans.Reporting.Reports;

/// <summary>The backlink streams the reports fold: <c>backlink/{tenant}/{sha256}</c> (the Backlinks module's naming).</summary>
internal static class BacklinkStreams
{
    public const string Prefix = "backlink/";

    public static bool Is(string streamId) => streamId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The (tenant, URL hash) of a backlink stream id.</summary>
    public static (string Tenant, string Hash) Key(string streamId)
    {
        var rest = streamId.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        return (rest[..slash].ToString(), rest[(slash + 1)..].ToString());
    }

    public static string Id((string Tenant, string Hash) key) => $"{Prefix}{key.Tenant}/{key.Hash}";
}
