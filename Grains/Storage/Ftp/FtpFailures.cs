using System.Net.Sockets;
using System.Security.Authentication;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>Turns network failures and timeouts into <see cref="StorageException"/>s; the caller's own cancellation passes through.</summary>
internal static class FtpFailures
{
    /// <summary>The storage exception for <paramref name="exception"/>, or null when it must propagate unchanged.</summary>
    public static StorageException? Translate(Exception exception, FtpOperationTimer timer, string what) => exception switch
    {
        StorageException storage => storage,
        _ when timer.TimedOut(exception) => new StorageException(StorageErrorKind.Transient,
            $"{what}: the FTP server made no progress for {timer.Timeout.TotalSeconds:0.#} s.", exception),
        OperationCanceledException => null,
        IOException or SocketException or ObjectDisposedException => new StorageException(StorageErrorKind.Transient,
            $"{what}: the connection failed ({Describe(exception)}).", exception),
        AuthenticationException => new StorageException(StorageErrorKind.Protocol,
            $"{what}: the TLS handshake failed ({exception.Message}).", exception),
        _ => null,
    };

    private static string Describe(Exception exception) =>
        exception is IOException { InnerException: SocketException inner } ? inner.Message : exception.Message;
}
