using Pcrs.Grains.Storage.Pooling;
using Renci.SshNet;

namespace Pcrs.Grains.Storage.Sftp;

/// <summary>
/// Lets several directory listings share one pooled SFTP session. SFTP numbers its requests, and SSH.NET matches each
/// answer to its request, so listings of different directories (each with its own handle) can be in flight on one
/// session: a crawl no longer waits one round trip per OPENDIR / READDIR / CLOSE per connection, as rclone's checkers
/// do not. The session is rented from the storage's pool like any other, so the connection limit holds; reads and
/// stats keep a session to themselves.
/// </summary>
/// <remarks>
/// A shared session takes new listings only for a short while (<see cref="JoinWindow"/>), then goes back to the pool
/// once its last listing ends: under contention the pool can hand it to another silo's turn, as for any rental.
/// </remarks>
internal sealed class SftpSharedListings(ConnectionPool<SftpClient> pool, int listingsPerSession)
{
    /// <summary>How long a shared session takes new listings after it was rented.</summary>
    internal static readonly TimeSpan JoinWindow = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly List<Shared> _sessions = [];

    /// <summary>Runs one listing on a shared session (joining one that has room, else renting one).</summary>
    public async Task<T> RunAsync<T>(Func<SftpClient, CancellationToken, Task<T>> listing, CancellationToken cancellationToken)
    {
        var shared = Join() ?? await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await listing(shared.Lease.Connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not StorageException { Kind: StorageErrorKind.NotFound })
        {
            // The session's state is unknown: nobody joins it any more and it is closed when its last listing ends.
            lock (_gate)
                shared.Broken = true;
            throw;
        }
        finally
        {
            await LeaveAsync(shared).ConfigureAwait(false);
        }
    }

    private Shared? Join()
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            foreach (var shared in _sessions)
            {
                if (!shared.Broken && shared.Users < listingsPerSession && now - shared.RentedAt < (long)JoinWindow.TotalMilliseconds)
                {
                    shared.Users++;
                    return shared;
                }
            }
            return null;
        }
    }

    private async Task<Shared> RentAsync(CancellationToken cancellationToken)
    {
        var lease = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
        var shared = new Shared(lease, Environment.TickCount64) { Users = 1 };
        lock (_gate)
            _sessions.Add(shared);
        return shared;
    }

    private async ValueTask LeaveAsync(Shared shared)
    {
        lock (_gate)
        {
            if (--shared.Users > 0)
                return;
            _sessions.Remove(shared);
        }
        if (shared.Broken)
            shared.Lease.MarkBroken();
        await shared.Lease.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Shared(PooledConnection<SftpClient> lease, long rentedAt)
    {
        public PooledConnection<SftpClient> Lease { get; } = lease;

        public long RentedAt { get; } = rentedAt;

        public int Users { get; set; }

        public bool Broken { get; set; }
    }
}
