using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace BacklinkOrleans.SharedKernel.Http;

/// <summary>
/// Which IP addresses a fetch of a user-supplied URL may connect to: public unicast only. Refused: loopback,
/// private, link-local (cloud metadata 169.254.169.254 included), carrier-grade NAT, multicast, broadcast,
/// documentation, benchmarking and reserved ranges, and their IPv6 forms; IPv4-mapped, NAT64 and 6to4 IPv6
/// addresses are judged by the IPv4 address they carry.
/// </summary>
public static class AddressPolicy
{
    private static readonly (IPAddress Network, int Prefix, string Reason)[] RefusedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "'this network' (0.0.0.0/8)"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private address (10.0.0.0/8)"),
        (IPAddress.Parse("100.64.0.0"), 10, "a carrier-grade NAT address (100.64.0.0/10)"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address (127.0.0.0/8)"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local address (169.254.0.0/16, cloud metadata included)"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private address (172.16.0.0/12)"),
        (IPAddress.Parse("192.0.0.0"), 24, "an IETF protocol address (192.0.0.0/24)"),
        (IPAddress.Parse("192.0.2.0"), 24, "a documentation address (192.0.2.0/24)"),
        (IPAddress.Parse("192.88.99.0"), 24, "a 6to4 relay address (192.88.99.0/24)"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private address (192.168.0.0/16)"),
        (IPAddress.Parse("198.18.0.0"), 15, "a benchmarking address (198.18.0.0/15)"),
        (IPAddress.Parse("198.51.100.0"), 24, "a documentation address (198.51.100.0/24)"),
        (IPAddress.Parse("203.0.113.0"), 24, "a documentation address (203.0.113.0/24)"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address (224.0.0.0/4)"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved address (240.0.0.0/4, broadcast included)"),
    ];

    private static readonly (IPAddress Network, int Prefix, string Reason)[] RefusedV6 =
    [
        (IPAddress.Parse("::"), 128, "the unspecified address (::)"),
        (IPAddress.Parse("::1"), 128, "the loopback address (::1)"),
        (IPAddress.Parse("100::"), 64, "a discard address (100::/64)"),
        (IPAddress.Parse("64:ff9b:1::"), 48, "a local-use NAT64 address (64:ff9b:1::/48)"),
        (IPAddress.Parse("::ffff:0:0:0"), 96, "an IPv4-translated address (::ffff:0:0:0/96)"),
        (IPAddress.Parse("2001::"), 23, "an IETF protocol address (2001::/23, Teredo included)"),
        (IPAddress.Parse("2001:db8::"), 32, "a documentation address (2001:db8::/32)"),
        (IPAddress.Parse("fc00::"), 7, "a unique local address (fc00::/7)"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address (fe80::/10)"),
        (IPAddress.Parse("fec0::"), 10, "a site-local address (fec0::/10)"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address (ff00::/8)"),
    ];

    private static readonly IPAddress Nat64 = IPAddress.Parse("64:ff9b::");
    private static readonly IPAddress SixToFour = IPAddress.Parse("2002::");

    /// <summary>True when <paramref name="address"/> may be connected to; otherwise <paramref name="reason"/> says what it is.</summary>
    public static bool IsPublic(IPAddress address, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        if (address.IsIPv4MappedToIPv6)
            return IsPublic(address.MapToIPv4(), out reason);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (InPrefix(address, Nat64, 96) || InPrefix(address, IPAddress.Parse("::"), 96) && bytes[12..].Any(b => b != 0) && !address.Equals(IPAddress.IPv6Loopback))
                return IsPublic(new IPAddress(bytes[12..]), out reason); // NAT64 and IPv4-compatible forms carry an IPv4 address
            if (InPrefix(address, SixToFour, 16))
                return IsPublic(new IPAddress(bytes[2..6]), out reason);
            foreach (var (network, prefix, why) in RefusedV6)
            {
                if (InPrefix(address, network, prefix))
                {
                    reason = why;
                    return false;
                }
            }
            return true;
        }
        foreach (var (network, prefix, why) in RefusedV4)
        {
            if (InPrefix(address, network, prefix))
            {
                reason = why;
                return false;
            }
        }
        return true;
    }

    private static bool InPrefix(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily)
            return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = prefix / 8;
        if (!a.AsSpan(0, full).SequenceEqual(n.AsSpan(0, full)))
            return false;
        var rest = prefix % 8;
        return rest == 0 || (a[full] >> (8 - rest)) == (n[full] >> (8 - rest));
    }
}
