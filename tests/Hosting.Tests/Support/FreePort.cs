using System.Net;
using System.Net.Sockets;

namespace Pcrs.Hosting.Tests.Support;

public static class FreePort
{
    /// <summary>A port nobody listens on right now (asked from the kernel, so parallel test classes do not collide).</summary>
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
