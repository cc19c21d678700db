namespace Pcrs.Grains.Storage;

/// <summary>Why a storage operation failed, so callers can tell a dead server from a missing file.</summary>
public enum StorageErrorKind
{
    /// <summary>Network failure, timeout, reset, 5xx, 4xx FTP replies: worth retrying later.</summary>
    Transient,
    /// <summary>The path does not exist.</summary>
    NotFound,
    /// <summary>Login refused or access denied.</summary>
    Authentication,
    /// <summary>The server refused more connections (FTP 421, "too many connections" 530, HTTP 429/503).</summary>
    TooManyConnections,
    /// <summary>Certificate or host key not trusted, or a changed SSH host key.</summary>
    Trust,
    /// <summary>The address checks refused the host (loopback, private, link-local... not allowed).</summary>
    AddressRefused,
    /// <summary>Bad URL, bad path (control characters), unsupported protocol feature.</summary>
    Invalid,
    /// <summary>The server broke the protocol.</summary>
    Protocol,
}

/// <summary>A storage operation failed; <see cref="Exception.Message"/> is one clear sentence with no secret in it.</summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public StorageErrorKind Kind { get; }

    /// <summary>The server's passing state (refused or reset connections, timeouts, 5xx, "too many connections"), not the path's: worth another attempt.</summary>
    public bool IsTransient => Kind is StorageErrorKind.Transient or StorageErrorKind.TooManyConnections;

    /// <summary>How long the server asked to wait before the next attempt (HTTP Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
