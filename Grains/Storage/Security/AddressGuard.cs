using System.Net;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Security;

/// <summary>
/// Refuses loopback, private, link-local, multicast and other special addresses (see <see cref="SpecialAddresses"/>)
/// unless <see cref="StorageAccessOptions.AllowedNetworks"/> lists them. Clients resolve through <see cref="ResolveAsync"/>
/// and connect to the returned addresses only, so a DNS answer cannot change between the check and the connect.
/// </summary>
public sealed class AddressGuard : IAddressGuard
{
    private readonly NetworkList _allowed;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public AddressGuard(StorageAccessOptions options)
        : this(options, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>Takes the resolver as a parameter so tests can feed it the answers a hostile DNS server would give.</summary>
    internal AddressGuard(StorageAccessOptions options, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            _allowed = NetworkList.Parse(options.AllowedNetworks);
        }
        catch (FormatException e)
        {
            throw new StorageException(StorageErrorKind.Invalid, $"Scanning:AllowedNetworks is invalid. {e.Message}", e);
        }
        _resolve = resolve;
    }

    public async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        string bare = host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        if (bare.Length == 0)
            throw new StorageException(StorageErrorKind.Invalid, "The storage host name is empty.");

        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(bare, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new StorageException(StorageErrorKind.Transient, $"The host name \"{bare}\" could not be resolved ({e.SocketErrorCode}).", e);
            }
            catch (ArgumentException e)
            {
                throw new StorageException(StorageErrorKind.Invalid, $"\"{bare}\" is not a valid host name.", e);
            }
        }
        if (addresses.Length == 0)
            throw new StorageException(StorageErrorKind.Transient, $"The host name \"{bare}\" resolved to no address.");

        // Every address must pass: a name that resolves to one public and one private address is refused as a whole,
        // otherwise a rebinding server could make the client pick the private one.
        foreach (var address in addresses)
            EnsureAllowed(address, bare);
        return addresses;
    }

    public void EnsureAllowed(IPAddress address) => EnsureAllowed(address, null);

    /// <summary>True when the address may be reached (ordinary public address, or named by the allow-list).</summary>
    public bool IsAllowed(IPAddress address) => Refusal(address) is null;

    private void EnsureAllowed(IPAddress address, string? host)
    {
        ArgumentNullException.ThrowIfNull(address);
        string? reason = Refusal(address);
        if (reason is null)
            return;
        string who = host is null ? address.ToString() : $"\"{host}\" ({address})";
        throw new StorageException(StorageErrorKind.AddressRefused,
            $"Connection to {who} refused: it is {reason}. An administrator can allow it with Scanning:AllowedNetworks.");
    }

    private string? Refusal(IPAddress address)
    {
        string? reason = SpecialAddresses.Classify(address, out var embedded);
        if (reason is null)
            return null;
        var bare = address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address;
        if (_allowed.Contains(bare) || (embedded is not null && _allowed.Contains(embedded)))
            return null;
        return reason;
    }
}
