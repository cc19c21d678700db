using System.Text;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// The scan's HTTP requests (listing pages, HEADs, small ranged GETs) over kept-alive HTTP/1.1 connections rented from
/// the storage's one <see cref="ConnectionPool{TConnection}"/>: listings and reads share the same connections, so the
/// number of TCP connections the server sees stays within the limit and none is handed from one kind of request to
/// another through an idle timeout. Up to <c>depth</c> requests are in flight on each connection (pipelining), so behind
/// latency one connection carries several requests per round trip; a depth of 1 sends one request per connection at a
/// time.
/// </summary>
/// <remarks>
/// A request the pipeline cannot answer safely comes back as null and the caller sends it through the standard
/// handler, which follows redirects, reads a 200's body only up to the asked bytes and maps error statuses. A server that
/// closes connections with requests still unanswered after only a few responses (HTTP/1.0, a tiny keep-alive limit) is
/// not pipelined any more: one request per connection at a time from then on.
/// </remarks>
internal sealed class HttpRequestPipeline : IAsyncDisposable
{
    /// <summary>Times one request is resent after its connection ended before answering, before it counts as a failure.</summary>
    private const int MaxResends = 3;

    /// <summary>Times one request finds its connection closing before it was sent; only a sanity bound, each try picks anew.</summary>
    private const int MaxNotSent = 100;

    /// <summary>A connection closing with requests unanswered after fewer responses than this stops pipelining on this storage.</summary>
    internal const int FewResponsesPerConnection = 16;

    private readonly Func<CancellationToken, Task<PooledConnection<HttpWire>>> _rent;
    private readonly int _maxConnections;
    private readonly TimeSpan _idleTimeout;
    private readonly string? _authorization;
    private readonly Func<int, string?, string, bool, StorageException> _failed;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly List<PipelinedConnection> _connections = [];
    private int _depth;
    private int _rangesDisabled;
    private int _pagesDisabled;
    private int _opened;
    private long _answered;

    /// <param name="rent">Rents one connection from the storage's pool (TLS included for https), ready for HTTP/1.1.</param>
    /// <param name="connections">The connection limit: at most this many connections carry requests.</param>
    /// <param name="depth">Requests in flight per connection (1: no pipelining).</param>
    /// <param name="idleTimeout">How long a connection waits for another request before going back to the pool.</param>
    /// <param name="authorization">The Authorization header value sent with each request, or null.</param>
    /// <param name="failed">The error for an error status (status, Retry-After, path, is a directory), as the standard path reports it.</param>
    public HttpRequestPipeline(Func<CancellationToken, Task<PooledConnection<HttpWire>>> rent, int connections, int depth,
        TimeSpan idleTimeout, string? authorization, Func<int, string?, string, bool, StorageException> failed, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _rent = rent;
        _failed = failed;
        _logger = logger;
        _depth = depth;
        _maxConnections = connections;
        _idleTimeout = idleTimeout;
        _authorization = authorization;
        _slots = new SemaphoreSlim(connections * depth, connections * depth);
    }

    /// <summary>False once a server answered a ranged read in a way that makes pipelining it pointless (Range ignored, redirects).</summary>
    public bool Enabled => Volatile.Read(ref _rangesDisabled) == 0;

    /// <summary>Requests in flight per connection now: the configured depth, or 1 once the server closed pipelined connections early.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>Connections opened so far (for tests).</summary>
    internal int ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>Ranged reads answered through the pipeline (for tests).</summary>
    internal long ReadsAnswered => Interlocked.Read(ref _answered);

    /// <summary>
    /// Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/> of <paramref name="uri"/>; null when the
    /// standard handler must send this request (the answer was a 200, a redirect, an error status or unframed).
    /// </summary>
    public async Task<RangeReadResult?> ReadAsync(Uri uri, string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (EncodeRequest("GET", uri, (offset, buffer.Length)) is not { } request)
            return null;
        var outcome = await SendAsync(new PipelinedRead(offset, buffer, path), request, cancellationToken).ConfigureAwait(false);
        switch (outcome.Kind)
        {
            case PipelinedOutcomeKind.Read:
                Interlocked.Increment(ref _answered);
                return outcome.Result;
            case PipelinedOutcomeKind.Failed:
                throw _failed(outcome.Status, outcome.RetryAfter, path, false);
            default:
                // Range ignored or a redirect: every read would come back the same way, so stop pipelining reads.
                if (outcome.Status is 200 or (>= 300 and < 400))
                    Interlocked.Exchange(ref _rangesDisabled, 1);
                return null;
        }
    }

    /// <summary>A HEAD's response head (any status but 1xx and 3xx); null when the standard handler must send it (redirect, unreadable).</summary>
    public async Task<PipelinedResponseHead?> HeadAsync(Uri uri, string path, CancellationToken cancellationToken)
    {
        if (EncodeRequest("HEAD", uri, null) is not { } request)
            return null;
        var outcome = await SendAsync(new PipelinedRead(0, default, path, PipelinedRequestKind.Head), request, cancellationToken).ConfigureAwait(false);
        return outcome.Kind == PipelinedOutcomeKind.Read ? outcome.Head : null;
    }

    /// <summary>
    /// GETs a whole page of at most <paramref name="maxBytes"/> (a listing); null when the standard handler must send it
    /// (a redirect, a body without framing). An error status throws as the standard path would.
    /// </summary>
    public async Task<(PipelinedResponseHead Head, byte[] Body, int Length)?> GetPageAsync(Uri uri, string path, int maxBytes,
        CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _pagesDisabled) != 0 || EncodeRequest("GET", uri, null) is not { } request)
            return null;
        var outcome = await SendAsync(new PipelinedRead(0, default, path, PipelinedRequestKind.Page, maxBytes), request, cancellationToken)
            .ConfigureAwait(false);
        switch (outcome.Kind)
        {
            case PipelinedOutcomeKind.Read:
                return (outcome.Head!, outcome.Body!, outcome.BodyLength);
            case PipelinedOutcomeKind.Failed:
                throw _failed(outcome.Status, outcome.RetryAfter, path, true);
            default:
                if (outcome.Status is >= 300 and < 400)
                    Interlocked.Exchange(ref _pagesDisabled, 1);
                return null;
        }
    }

    /// <summary>Sends one request until a connection answers it: resent when a connection closed before answering.</summary>
    private async Task<PipelinedOutcome> SendAsync(PipelinedRead template, byte[] request, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int resends = 0, notSent = 0;
            while (true)
            {
                var connection = Pick();
                PipelinedOutcome outcome;
                try
                {
                    var read = new PipelinedRead(template.Offset, template.Buffer, template.Path, template.Kind, template.MaxBody);
                    outcome = await connection.SendAsync(read, request, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    lock (_connections)
                        connection.Reserved--;
                }
                if (outcome.Kind == PipelinedOutcomeKind.NotSent && ++notSent <= MaxNotSent)
                    continue;
                if (outcome.Kind is not (PipelinedOutcomeKind.Resend or PipelinedOutcomeKind.NotSent))
                    return outcome;
                if (outcome.Kind == PipelinedOutcomeKind.Resend)
                    NoteEarlyClose(connection);
                if (outcome.Kind == PipelinedOutcomeKind.NotSent || ++resends > MaxResends)
                    throw new StorageException(StorageErrorKind.Transient,
                        $"Requesting \"{template.Path}\" failed: {MaxResends + 1} connections in a row closed before answering.");
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A connection closed before answering after only a few responses: pipelining on this server costs more than it gives.</summary>
    private void NoteEarlyClose(PipelinedConnection connection)
    {
        if (connection.ClosedByServer && connection.Answered < FewResponsesPerConnection && Interlocked.Exchange(ref _depth, 1) > 1)
            _logger.LogInformation("The server closed a pipelined connection after {Responses} response(s) with requests unanswered: " +
                "one request per connection at a time from now on", connection.Answered);
    }

    /// <summary>
    /// A connection for one more request: spreads requests over up to the connection limit (opening one at a time), and
    /// pipelines on the open ones meanwhile: a ready connection with the fewest requests is preferred, a connecting one
    /// (waiting for the pool) only when no ready one has room.
    /// </summary>
    private PipelinedConnection Pick()
    {
        int depth = Depth;
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
                if (connection.Reserved < depth && (best is null || Better(connection, best)))
                    best = connection;
            }
            if (best is null || (best.Reserved > 0 && !connecting && accepting < _maxConnections))
            {
                best = new PipelinedConnection(_rent, _idleTimeout, Forget);
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
    private byte[]? EncodeRequest(string method, Uri uri, (long Offset, int Length)? range)
    {
        string target = uri.PathAndQuery;
        string host = uri.Authority;
        if (!IsVisibleAscii(target) || !IsVisibleAscii(host))
            return null;
        var text = new StringBuilder(128 + target.Length)
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\nHost: ").Append(host).Append("\r\n");
        if (range is var (offset, length))
            text.Append("Range: bytes=").Append(offset).Append('-').Append(offset + length - 1).Append("\r\n");
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
