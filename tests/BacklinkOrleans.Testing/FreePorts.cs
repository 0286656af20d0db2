using System.Net;
using System.Net.Sockets;

namespace BacklinkOrleans.Testing;

/// <summary>
/// Free loopback ports for Hosts, silos and servers under test, never handed out twice while this process lives,
/// and never to two test processes at once.
/// </summary>
/// <remarks>
/// A port from the kernel's ephemeral range (asking for port 0) is not safe to hand to a child process: between
/// releasing it here and the child binding it, any outbound connection on the machine may be given the same port
/// (a Host failed to start with "address already in use" that way). So ports come from below the ephemeral range,
/// where the kernel never picks one on its own, and each is claimed by an exclusive lock on a file named after it;
/// the lock is held until this process ends, so suites running side by side never share a port.
/// </remarks>
public static class FreePorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly Dictionary<int, FileStream> Claims = [];
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), $"backlinkorleans-ports-{Environment.UserName}");

    public static int Next()
    {
        lock (Claims)
        {
            Directory.CreateDirectory(Folder);
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (Claims.ContainsKey(port) || !TryClaim(port, out var claim))
                    continue;
                if (IsBindable(port))
                {
                    Claims.Add(port, claim);
                    return port;
                }
                claim.Dispose();
            }
            throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
        }
    }

    private static bool TryClaim(int port, out FileStream claim)
    {
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix: another process opening the same file fails until
            // this one closes it or exits.
            claim = new FileStream(Path.Combine(Folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            claim = null!;
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            claim = null!;
            return false;
        }
    }

    private static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
