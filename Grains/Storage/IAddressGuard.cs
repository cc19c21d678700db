using System.Net;

namespace Pcrs.Grains.Storage;

/// <summary>
/// Decides which addresses a user-declared storage may reach. Every client resolves host names through this and
/// connects only to the addresses it returns (HTTP through <c>SocketsHttpHandler.ConnectCallback</c>, FTP control and data
/// sockets, SFTP), so DNS rebinding cannot slip past the check.
/// </summary>
public interface IAddressGuard
{
    /// <summary>Resolves <paramref name="host"/> and returns its allowed addresses; throws <see cref="StorageException"/> (AddressRefused) when any is refused.</summary>
    ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="StorageException"/> (AddressRefused) unless <paramref name="address"/> may be reached.</summary>
    void EnsureAllowed(IPAddress address);
}
