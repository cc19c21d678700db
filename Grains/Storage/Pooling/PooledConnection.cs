namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// A connection rented from a <see cref="ConnectionPool{TConnection}"/>. Disposing it returns the connection for reuse,
/// or closes it when <see cref="MarkBroken"/> was called.
/// </summary>
public sealed class PooledConnection<TConnection> : IAsyncDisposable where TConnection : class
{
    private readonly ConnectionPool<TConnection> _pool;
    private readonly ConnectionPool<TConnection>.Slot _slot;
    private bool _broken;
    private int _returned;

    internal PooledConnection(ConnectionPool<TConnection> pool, ConnectionPool<TConnection>.Slot slot)
    {
        _pool = pool;
        _slot = slot;
    }

    public TConnection Connection => _slot.Connection;

    /// <summary>
    /// A holder with fewer leases waits and this connection served its turn: a user that keeps a connection for many
    /// operations (HTTP pipelining) stops sending on it and returns it, and the pool closes it.
    /// </summary>
    public bool TurnServed => _pool.IsTurnServed(_slot);

    /// <summary>The connection's state is unknown (error, timeout, aborted transfer): close it instead of reusing it.</summary>
    public void MarkBroken() => _broken = true;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _returned, 1) == 0 ? _pool.ReturnAsync(_slot, _broken) : ValueTask.CompletedTask;
}
