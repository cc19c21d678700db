namespace Pcrs.Grains.Storage;

/// <summary>Creates the client for a storage URL's protocol. The caller disposes the client, which closes its pool.</summary>
public interface IStorageClientFactory
{
    IStorageClient Create(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust);
}
