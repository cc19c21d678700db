using System.Net;

namespace Pcrs.Grains.Storage.Security;

/// <summary>A parsed list of CIDR ranges (the administrator's allow-list), with one clear error per bad entry.</summary>
public sealed class NetworkList
{
    private readonly IPNetwork[] _networks;

    private NetworkList(IPNetwork[] networks) => _networks = networks;

    public static NetworkList Empty { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>Parses entries such as "127.0.0.0/8", "10.1.2.3" (one host) or "fd00::/8".</summary>
    /// <exception cref="FormatException">An entry is not a valid CIDR range; the message names it and says why.</exception>
    public static NetworkList Parse(IEnumerable<string>? entries)
    {
        var networks = new List<IPNetwork>();
        foreach (string raw in entries ?? [])
            networks.Add(ParseOne(raw));
        return new NetworkList([.. networks]);
    }

    /// <summary>Returns the errors of every bad entry (empty when all parse); used by options validation.</summary>
    public static IReadOnlyList<string> Validate(IEnumerable<string>? entries)
    {
        var errors = new List<string>();
        foreach (string raw in entries ?? [])
        {
            try
            {
                ParseOne(raw);
            }
            catch (FormatException e)
            {
                errors.Add(e.Message);
            }
        }
        return errors;
    }

    public bool Contains(IPAddress address)
    {
        foreach (var network in _networks)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }

    private static IPNetwork ParseOne(string? raw)
    {
        string entry = raw?.Trim() ?? "";
        if (entry.Length == 0)
            throw new FormatException("An allowed network is empty; expected a CIDR range such as \"127.0.0.0/8\".");

        int slash = entry.IndexOf('/');
        string addressPart = slash < 0 ? entry : entry[..slash];
        if (!IPAddress.TryParse(addressPart, out var address) || addressPart.Contains('%'))
            throw new FormatException($"Allowed network \"{entry}\": \"{addressPart}\" is not an IP address.");
        int maxPrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;

        int prefix = maxPrefix;
        if (slash >= 0)
        {
            string prefixPart = entry[(slash + 1)..];
            if (!int.TryParse(prefixPart, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix)
                || prefix > maxPrefix)
                throw new FormatException($"Allowed network \"{entry}\": the prefix length must be a number from 0 to {maxPrefix}.");
        }

        var network = new IPNetwork(Truncate(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
            throw new FormatException(
                $"Allowed network \"{entry}\": the address has bits set after the /{prefix} prefix; did you mean \"{network}\"?");
        return network;
    }

    private static IPAddress Truncate(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < bytes.Length * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPAddress(bytes);
    }
}
