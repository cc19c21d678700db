using System.Net;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Security;

/// <summary>
/// The address ranges a user-declared storage may not reach unless an administrator allows them: loopback, private,
/// link-local (cloud metadata endpoints live there), carrier-grade NAT, unspecified, broadcast, multicast, reserved
/// and documentation ranges, and the IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
/// </summary>
internal static class SpecialAddresses
{
    private static readonly (IPNetwork Network, string Reason)[] Ipv4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata endpoints live there)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol assignment address"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address"),
        (IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("255.255.255.255/32"), "the broadcast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] Ipv6 =
    [
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("::/96"), "an IPv4-compatible IPv6 address (deprecated)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),
        (IPNetwork.Parse("100::/64"), "a discard-only address"),
        (IPNetwork.Parse("2001::/32"), "a Teredo address (it hides an IPv4 address)"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local (private) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address (deprecated)"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>
    /// Why <paramref name="address"/> is special (null when it is an ordinary public address), and the IPv4 address it
    /// stands for when it embeds one, so the allow-list can be checked against both forms.
    /// </summary>
    public static string? Classify(IPAddress address, out IPAddress? embeddedIpv4)
    {
        embeddedIpv4 = null;
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return Find(Ipv4, address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return "not an IP address";

        // Scope ids do not change which network an address belongs to.
        var bare = new IPAddress(address.GetAddressBytes());
        if (bare.IsIPv4MappedToIPv6)
        {
            embeddedIpv4 = bare.MapToIPv4();
            string? reason = Find(Ipv4, embeddedIpv4);
            return reason is null ? null : $"{reason} in IPv4-mapped IPv6 form";
        }
        if (Nat64.Contains(bare) || SixToFour.Contains(bare))
        {
            byte[] bytes = bare.GetAddressBytes();
            embeddedIpv4 = SixToFour.Contains(bare) ? new IPAddress(bytes.AsSpan(2, 4)) : new IPAddress(bytes.AsSpan(12, 4));
            string? reason = Find(Ipv4, embeddedIpv4);
            return reason is null ? null : $"{reason} embedded in an IPv6 address";
        }
        return Find(Ipv6, bare);
    }

    private static string? Find((IPNetwork Network, string Reason)[] table, IPAddress address)
    {
        foreach (var (network, reason) in table)
        {
            if (network.Contains(address))
                return reason;
        }
        return null;
    }
}
