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
    /// <summary>How long a shared session takes new listings after it was asked for.</summary>
    internal static readonly TimeSpan JoinWindow = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly List<Shared> _sessions = [];

    /// <summary>Runs one listing on a shared session (joining one that has room, else renting one).</summary>
    public async Task<T> RunAsync<T>(Func<SftpClient, CancellationToken, Task<T>> listing, CancellationToken cancellationToken)
    {
        var shared = JoinOrStart();
        PooledConnection<SftpClient> lease;
        try
        {
            lease = await shared.Lease.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Renting failed: the next listing starts a fresh session. (A listing that only gave up waiting leaves it be.)
            if (shared.Lease.IsFaulted)
            {
                lock (_gate)
                    shared.Broken = true;
            }
            await LeaveAsync(shared).ConfigureAwait(false);
            throw;
        }
        try
        {
            return await listing(lease.Connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!LeavesSessionInStep(error))
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

    /// <summary>
    /// A missing or unreadable directory is the server's status answer to one request: the session stays in step and the
    /// listings sharing it go on. Anything else (a timeout with the request still out, a dropped connection) does not.
    /// </summary>
    internal static bool LeavesSessionInStep(Exception error) =>
        error is StorageException { Kind: StorageErrorKind.NotFound or StorageErrorKind.Authentication };

    /// <summary>Joins a session that has room (one still being opened included), else starts renting one.</summary>
    private Shared JoinOrStart()
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            foreach (var shared in _sessions)
            {
                if (!shared.Broken && shared.Users < listingsPerSession && now - shared.StartedAt < (long)JoinWindow.TotalMilliseconds)
                {
                    shared.Users++;
                    return shared;
                }
            }
            // The rental is not tied to this listing's token: others may be waiting for the same session.
            var started = new Shared(pool.RentAsync(CancellationToken.None), now) { Users = 1 };
            _sessions.Add(started);
            return started;
        }
    }

    private async ValueTask LeaveAsync(Shared shared)
    {
        lock (_gate)
        {
            if (--shared.Users > 0)
                return;
            _sessions.Remove(shared);
        }
        // A listing that gave up before the pool granted the session does not wait for it: it is returned when granted.
        if (shared.Lease.IsCompleted)
            await ReturnAsync(shared).ConfigureAwait(false);
        else
            _ = ReturnAsync(shared);
    }

    private static async Task ReturnAsync(Shared shared)
    {
        PooledConnection<SftpClient> lease;
        try
        {
            lease = await shared.Lease.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // never granted: nothing to give back
        }
        if (shared.Broken)
            lease.MarkBroken();
        await lease.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Shared(Task<PooledConnection<SftpClient>> lease, long startedAt)
    {
        /// <summary>The session, once the pool has granted it.</summary>
        public Task<PooledConnection<SftpClient>> Lease { get; } = lease;

        public long StartedAt { get; } = startedAt;

        public int Users { get; set; }

        public bool Broken { get; set; }
    }
}
