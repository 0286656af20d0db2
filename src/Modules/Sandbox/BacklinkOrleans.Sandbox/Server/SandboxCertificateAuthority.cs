using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BacklinkOrleans.Sandbox.Server;

/// <summary>
/// A certificate authority made in memory when the Sandbox starts. It issues a server certificate per simulated
/// host name on demand (SNI), and only clients configured for the Sandbox trust it: nothing is installed in any
/// system trust store.
/// </summary>
internal sealed class SandboxCertificateAuthority : IDisposable
{
    private readonly ConcurrentDictionary<string, X509Certificate2> issued = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> contexts = new(StringComparer.OrdinalIgnoreCase);
    private static readonly TimeProvider RealClock = TimeProvider.System;
    private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SandboxCertificateAuthority()
    {
        var request = new CertificateRequest("CN=BacklinkOrleans Sandbox CA", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // TLS checks validity against the real clock, whatever the application's (possibly fake) TimeProvider says.
        var now = RealClock.GetUtcNow();
        Root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 CertificateFor(string host) => issued.GetOrAdd(host.TrimEnd('.'), Issue);

    /// <summary>The server side of a handshake for <paramref name="host"/>, made once per host (its chain is built once, not per connection).</summary>
    public SslStreamCertificateContext ContextFor(string host) =>
        contexts.GetOrAdd(host.TrimEnd('.'), h => SslStreamCertificateContext.Create(CertificateFor(h), [Root], offline: true));

    /// <summary>
    /// How clients configured for the Sandbox validate its certificates: chained to this CA only (no system store is
    /// read), no revocation lookups; the name check is the TLS stack's own.
    /// </summary>
    public static X509ChainPolicy ClientChainPolicy(X509Certificate2 root)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(root);
        return policy;
    }

    private X509Certificate2 Issue(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = RealClock.GetUtcNow();
        using var certificate = request.Create(Root, now.AddDays(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(12));
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the TLS stack gets a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Accepts a server certificate only if it chains to this CA (validated under <see cref="ClientChainPolicy"/>) and
    /// names the host that was asked for.
    /// </summary>
    public static bool Trusts(SslPolicyErrors errors) => errors == SslPolicyErrors.None;

    public void Dispose()
    {
        foreach (var certificate in issued.Values)
            certificate.Dispose();
        contexts.Clear();
        Root.Dispose();
        caKey.Dispose();
    }
}
