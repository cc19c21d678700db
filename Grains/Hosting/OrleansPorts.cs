using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Pcrs.Grains.Hosting.Settings;

namespace Pcrs.Grains.Hosting;

/// <summary>
/// Checks the silo's ports before Orleans binds them. Orleans listens with SO_REUSEADDR, which on Linux also sets
/// SO_REUSEPORT, so a second process given the same ports listens too and the two silently share connections. A probe
/// socket without that option fails to bind a port another process listens on, which is how a busy port is seen here.
/// </summary>
public static class OrleansPorts
{
    public const string SiloPortKey = "Orleans:Endpoints:SiloPort";
    public const string GatewayPortKey = "Orleans:Endpoints:GatewayPort";

    /// <summary>
    /// The port to use for <paramref name="key"/>. A port set in configuration must be free, else start-up fails naming it
    /// and the setting. The default port, when busy, is replaced by a free one if <paramref name="mayChooseFree"/> (one
    /// node: no other process needs to know it), else fails the same way. 0 (gateway disabled) is kept.
    /// </summary>
    public static int Resolve(IConfiguration configuration, string key, int port, IPAddress address, bool mayChooseFree)
    {
        if (port == 0 || IsFree(address, port))
            return port;
        bool configured = !string.IsNullOrWhiteSpace(configuration[key]);
        if (mayChooseFree && !configured)
        {
            int free = FreePort(address);
            Serilog.Log.Information("Port {Port} ({Setting}) is in use by another process; this single node takes {Free} instead",
                port, key, free);
            return free;
        }
        string env = key.Replace(":", "__", StringComparison.Ordinal);
        throw new PcrsSettingsException([string.Create(CultureInfo.InvariantCulture,
            $"Port {port} on {address} ({key}) is already in use by another process (another silo or web front on this machine?): set {env} to a free port.")]);
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(address, port));
            probe.Listen(1);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // e.g. an address not on this machine: Orleans reports that itself, in its own words
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
