using System.Net.Sockets;
using Renci.SshNet.Common;

namespace Pcrs.Grains.Storage.Sftp;

/// <summary>Turns SSH.NET and socket failures into one clear <see cref="StorageException"/> naming the storage and path.</summary>
internal static class SftpErrors
{
    /// <summary>Maps a failure of an operation on <paramref name="path"/>; null when it is not a storage failure (e.g. cancellation).</summary>
    public static StorageException? Map(Exception error, string storage, string path) => error switch
    {
        StorageException storageError => storageError,
        OperationCanceledException => null,
        SftpPathNotFoundException => new StorageException(StorageErrorKind.NotFound,
            $"\"{path}\" does not exist on {storage}.", error),
        SftpPermissionDeniedException => new StorageException(StorageErrorKind.Authentication,
            $"Access to \"{path}\" is denied on {storage}.", error),
        SshAuthenticationException => new StorageException(StorageErrorKind.Authentication,
            $"The SFTP login to {storage} was refused (wrong user name or password).", error),
        SshOperationTimeoutException or TimeoutException => new StorageException(StorageErrorKind.Transient,
            $"{storage} did not answer in time while working on \"{path}\".", error),
        SshConnectionException or SocketException or IOException or ObjectDisposedException or InvalidOperationException =>
            new StorageException(StorageErrorKind.Transient,
                $"The SFTP connection to {storage} failed while working on \"{path}\": {error.Message}", error),
        SshException => new StorageException(StorageErrorKind.Protocol,
            $"{storage} refused an SFTP request on \"{path}\": {error.Message}", error),
        _ => null,
    };

    /// <summary>Runs an SFTP call and rethrows its failure as a <see cref="StorageException"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call, string storage, string path)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not StorageException && Map(error, storage, path) is { } mapped)
        {
            throw mapped;
        }
    }
}
