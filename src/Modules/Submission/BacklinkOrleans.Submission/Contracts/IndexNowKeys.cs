namespace BacklinkOrleans.Submission.Contracts;

public static class IndexNowKeys
{
    /// <summary>The key of the quota grain of a tenant's IndexNow key for a host: <c>{tenant}/{host}</c>.</summary>
    public static string GrainKey(string tenant, string host) => $"{tenant}/{host}";
}
