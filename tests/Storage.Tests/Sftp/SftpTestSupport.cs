using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.Grains.Storage.Security;
using Pcrs.Grains.Storage.Sftp;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Sftp;

/// <summary>Clients for the real OpenSSH peer (chroot = the peers' data folder), with loopback allowed by the address guard.</summary>
internal static class SftpTestSupport
{
    public static StorageLocation Location => StorageLocation.Parse($"sftp://{Peers.User}@{Peers.Host}:{Peers.Sftp}/", out _);

    public static StorageAccessOptions Options(int maxConnections = 4) => new()
    {
        AllowedNetworks = ["127.0.0.0/8"],
        MaxConnectionsPerStorage = maxConnections,
        ConnectTimeout = TimeSpan.FromSeconds(20),
        OperationTimeout = TimeSpan.FromSeconds(20),
    };

    public static SftpStorageClient NewClient(
        StorageTrust? trust = null,
        string? password = null,
        IConnectionLimiter? limiter = null,
        StorageAccessOptions? options = null)
    {
        options ??= Options();
        return new SftpStorageClient(
            Location,
            new StorageCredentials(Peers.User, password ?? Peers.Password),
            limiter ?? new LocalConnectionLimiter(options.MaxConnectionsPerStorage),
            trust ?? new StorageTrust(false, [], new MemoryHostKeyStore()),
            new AddressGuard(options),
            options,
            NullLogger.Instance);
    }
}

/// <summary>Host keys remembered in memory for one test.</summary>
internal sealed class MemoryHostKeyStore : IHostKeyStore
{
    public ConcurrentDictionary<string, string> Keys { get; } = new();

    public ValueTask<string?> GetAsync(string storageIdentity, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Keys.TryGetValue(storageIdentity, out var key) ? key : null);

    public ValueTask SaveAsync(string storageIdentity, string fingerprint, CancellationToken cancellationToken)
    {
        Keys[storageIdentity] = fingerprint;
        return ValueTask.CompletedTask;
    }
}
