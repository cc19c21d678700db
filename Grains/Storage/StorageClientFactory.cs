using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Storage.Ftp;
using Pcrs.Grains.Storage.Http;
using Pcrs.Grains.Storage.Local;
using Pcrs.Grains.Storage.Sftp;

namespace Pcrs.Grains.Storage;

/// <summary>
/// Creates the protocol client for a storage location. Every network client gets the same address guard and options,
/// so no protocol can reach an address the administrator did not allow.
/// </summary>
public sealed class StorageClientFactory : IStorageClientFactory
{
    private readonly IAddressGuard _guard;
    private readonly StorageAccessOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    public StorageClientFactory(IAddressGuard guard, IOptions<StorageAccessOptions> options, ILoggerFactory? loggerFactory = null)
        : this(guard, options.Value, loggerFactory)
    {
    }

    public StorageClientFactory(IAddressGuard guard, StorageAccessOptions options, ILoggerFactory? loggerFactory = null)
    {
        _guard = guard ?? throw new ArgumentNullException(nameof(guard));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    public IStorageClient Create(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(trust);
        return location.Protocol switch
        {
            StorageProtocol.File => new LocalStorageClient(location),
            StorageProtocol.Http or StorageProtocol.Https => new HttpStorageClient(location, credentials, limiter, trust, _guard, _options,
                _loggerFactory.CreateLogger<HttpStorageClient>()),
            StorageProtocol.Ftp or StorageProtocol.FtpExplicitTls or StorageProtocol.FtpImplicitTls => new FtpStorageClient(location, credentials,
                limiter, trust, _guard, _options, _loggerFactory.CreateLogger<FtpStorageClient>()),
            StorageProtocol.Sftp => new SftpStorageClient(location, credentials, limiter, trust, _guard, _options,
                _loggerFactory.CreateLogger<SftpStorageClient>()),
            _ => throw new StorageException(StorageErrorKind.Invalid, $"Unsupported storage protocol {location.Protocol}."),
        };
    }
}
