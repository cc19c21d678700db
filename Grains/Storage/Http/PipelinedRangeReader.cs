using System.Text;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Small ranged GETs over HTTP/1.1 pipelining: up to <c>depth</c> requests in flight on each kept-alive connection, so
/// behind latency one connection carries several reads per round trip (the standard handler never pipelines: one request
/// per connection per round trip). Each connection holds one lease from the connection limiter, like the handler's, so
/// the number of TCP connections the server sees stays within the limit.
/// </summary>
/// <remarks>
/// A read that the pipeline cannot answer safely comes back as null and the caller sends it through the standard
/// handler, which follows redirects, reads a 200's body only up to the asked bytes and maps error statuses.
/// </remarks>
internal sealed class PipelinedRangeReader : IAsyncDisposable
{
    /// <summary>Times one read is resent after its connection ended before answering, before it counts as a failure.</summary>
    private const int MaxResends = 3;

    private readonly Func<CancellationToken, Task<Stream>> _open;
    private readonly Func<bool> _owesTurn;
    private readonly int _depth;
    private readonly int _maxConnections;
    private readonly TimeSpan _turn;
    private readonly TimeSpan _idleTimeout;
    private readonly string? _authorization;
    private readonly Func<int, string?, string, StorageException> _failed;
    private readonly SemaphoreSlim _slots;
    private readonly List<PipelinedConnection> _connections = [];
    private int _disabled;
    private int _opened;
    private long _answered;

    /// <param name="open">Opens one leased, guarded connection (TLS included for https), ready for HTTP/1.1.</param>
    /// <param name="owesTurn">The limiter's <see cref="IConnectionLimiter.OwesTurn"/>.</param>
    /// <param name="connections">The connection limit: at most this many pipelined connections carry requests.</param>
    /// <param name="depth">Requests in flight per connection.</param>
    /// <param name="authorization">The Authorization header value sent with each request, or null.</param>
    /// <param name="failed">The error for an error status (status, Retry-After, path), as the standard path reports it.</param>
    public PipelinedRangeReader(Func<CancellationToken, Task<Stream>> open, Func<bool> owesTurn, int connections, int depth,
        TimeSpan turn, TimeSpan idleTimeout, string? authorization, Func<int, string?, string, StorageException> failed)
    {
        _failed = failed;
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 2);
        _open = open;
        _owesTurn = owesTurn;
        _depth = depth;
        _maxConnections = connections;
        _turn = turn;
        _idleTimeout = idleTimeout;
        _authorization = authorization;
        _slots = new SemaphoreSlim(connections * depth, connections * depth);
    }

    /// <summary>False once a server answered in a way that makes pipelining pointless (Range ignored, redirects).</summary>
    public bool Enabled => Volatile.Read(ref _disabled) == 0;

    /// <summary>Connections opened so far (for tests).</summary>
    internal int ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>Reads answered through the pipeline (for tests).</summary>
    internal long ReadsAnswered => Interlocked.Read(ref _answered);

    /// <summary>
    /// Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/> of <paramref name="uri"/>; null when the
    /// standard handler must send this request (the answer was a 200, a redirect, an error status or unframed).
    /// </summary>
    public async Task<RangeReadResult?> ReadAsync(Uri uri, string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (EncodeRequest(uri, offset, buffer.Length) is not { } request)
            return null;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int resend = 0; ; resend++)
            {
                var connection = Pick();
                PipelinedOutcome outcome;
                try
                {
                    outcome = await connection.SendAsync(new PipelinedRead(offset, buffer, path), request, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    lock (_connections)
                        connection.Reserved--;
                }
                switch (outcome.Kind)
                {
                    case PipelinedOutcomeKind.Read:
                        Interlocked.Increment(ref _answered);
                        return outcome.Result;
                    case PipelinedOutcomeKind.Fallback:
                        // Range ignored or a redirect: every read would come back the same way, so stop pipelining.
                        if (outcome.Status is 200 or (>= 300 and < 400))
                            Interlocked.Exchange(ref _disabled, 1);
                        return null;
                    case PipelinedOutcomeKind.Failed:
                        throw _failed(outcome.Status, outcome.RetryAfter, path);
                    case PipelinedOutcomeKind.Resend when resend >= MaxResends:
                        throw new StorageException(StorageErrorKind.Transient,
                            $"Reading \"{path}\" failed: {MaxResends + 1} connections in a row closed before answering.");
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// A connection for one more request: spreads requests over up to the connection limit (opening one at a time), and
    /// pipelines on the open ones meanwhile: a ready connection with the fewest requests is preferred, a connecting one
    /// (waiting for a lease, maybe held by a listing) only when no ready one has room.
    /// </summary>
    private PipelinedConnection Pick()
    {
        lock (_connections)
        {
            PipelinedConnection? best = null;
            int accepting = 0;
            bool connecting = false;
            foreach (var connection in _connections)
            {
                if (!connection.Accepting)
                    continue;
                accepting++;
                connecting |= !connection.IsReady;
                if (connection.Reserved < _depth && (best is null || Better(connection, best)))
                    best = connection;
            }
            if (best is null || (best.Reserved > 0 && !connecting && accepting < _maxConnections))
            {
                best = new PipelinedConnection(_open, _owesTurn, _turn, _idleTimeout, Forget);
                _connections.Add(best);
                Interlocked.Increment(ref _opened);
            }
            best.Reserved++;
            return best;
        }
    }

    private static bool Better(PipelinedConnection candidate, PipelinedConnection best) =>
        candidate.IsReady != best.IsReady ? candidate.IsReady : candidate.Reserved < best.Reserved;

    private void Forget(PipelinedConnection connection)
    {
        lock (_connections)
            _connections.Remove(connection);
    }

    /// <summary>The request bytes, or null when the target cannot be written as-is on a request line.</summary>
    private byte[]? EncodeRequest(Uri uri, long offset, int length)
    {
        string target = uri.PathAndQuery;
        string host = uri.Authority;
        if (!IsVisibleAscii(target) || !IsVisibleAscii(host))
            return null;
        var text = new StringBuilder(128 + target.Length)
            .Append("GET ").Append(target).Append(" HTTP/1.1\r\nHost: ").Append(host)
            .Append("\r\nRange: bytes=").Append(offset).Append('-').Append(offset + length - 1).Append("\r\n");
        if (_authorization is not null)
            text.Append("Authorization: ").Append(_authorization).Append("\r\n");
        text.Append("\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static bool IsVisibleAscii(string text)
    {
        foreach (char c in text)
        {
            if (c is <= ' ' or > '~')
                return false;
        }
        return text.Length > 0;
    }

    public ValueTask DisposeAsync()
    {
        PipelinedConnection[] open;
        lock (_connections)
            open = [.. _connections];
        foreach (var connection in open)
            connection.Close();
        return ValueTask.CompletedTask;
    }
}
