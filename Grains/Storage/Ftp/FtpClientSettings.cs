namespace Pcrs.Grains.Storage.Ftp;

/// <summary>FTP-specific knobs with production defaults; tests shorten the delays.</summary>
internal sealed record FtpClientSettings
{
    public static FtpClientSettings Default { get; } = new();

    /// <summary>
    /// Longest wait for the server's greeting once TCP (and implicit TLS) is up. A greeting normally comes within a round
    /// trip; a silent port is most likely implicit FTPS reached with plain FTP, which would otherwise wait out the connect
    /// timeout on every attempt (63 s in all before this bound).
    /// </summary>
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle pooled connection is closed (and its lease returned) after this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// While a pool with fewer leases waits (<see cref="IConnectionLimiter.OwesTurn"/>), a connection open this long is
    /// closed when it comes back, so its lease moves on. A login costs a few round trips; a turn serves many files. The
    /// pool stretches it to ten times what opening the connection took (slow logins on a loaded server).
    /// </summary>
    public TimeSpan TurnLength { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A pooled connection idle for longer than this is checked with NOOP before reuse.</summary>
    public TimeSpan HealthCheckAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the replies that follow an aborted transfer before giving the connection up.</summary>
    public TimeSpan AbortTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a cut-short transfer's final reply before sending ABOR.</summary>
    public TimeSpan AbortQuietPeriod { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>When and how often failed operations are tried again (tests shorten the waits).</summary>
    public StorageRetryPolicy Retry { get; init; } = StorageRetryPolicy.Default;

    /// <summary>Entries one directory may hold; beyond this the listing fails (a bound on memory, not a real-world limit).</summary>
    public int MaxListingEntries { get; init; } = 2_000_000;

    /// <summary>The clock used to give a year to LIST dates that have none, and the pool's clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>What the client learnt about the server, shared by all its connections so each lesson is paid once.</summary>
internal sealed class FtpServerTraits
{
    /// <summary>EPSV was refused or its port unreachable: use PASV from now on.</summary>
    public volatile bool EpsvUnusable;

    /// <summary>MLSD is advertised but fails: use LIST from now on.</summary>
    public volatile bool MlsdUnusable;
}
