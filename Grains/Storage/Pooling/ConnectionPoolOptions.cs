namespace Pcrs.Grains.Storage.Pooling;

/// <summary>How a <see cref="ConnectionPool{TConnection}"/> keeps and bounds its connections.</summary>
public sealed record ConnectionPoolOptions
{
    /// <summary>Connections this pool opens at most (the limiter may grant fewer).</summary>
    public int MaxConnections { get; init; } = 4;

    /// <summary>An idle connection older than this is closed rather than reused (servers drop idle sessions anyway).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Under contention (<see cref="IConnectionLimiter.OwesTurn"/>), a connection open this long is closed when it comes
    /// back, so its lease goes to a holder with fewer. Long enough that the login it costs is small beside the work done;
    /// the pool stretches it to ten times what opening the connection took.
    /// </summary>
    public TimeSpan TurnLength { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Quiet time after a "too many connections" refusal before one more connection is tried again.</summary>
    public TimeSpan RegrowInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a failure during an operation leaves the connection in an unknown state. By default every failure
    /// discards the connection except a missing path, after which the session is still in step.
    /// </summary>
    public Func<Exception, bool> ShouldDiscard { get; init; } =
        static ex => ex is not StorageException { Kind: StorageErrorKind.NotFound };

    /// <summary>Whether a failure to connect means the server refused one more connection.</summary>
    public Func<Exception, bool> IsTooManyConnections { get; init; } =
        static ex => ex is StorageException { Kind: StorageErrorKind.TooManyConnections };
}
