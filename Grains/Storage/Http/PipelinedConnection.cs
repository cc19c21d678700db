using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// One kept-alive HTTP/1.1 connection, rented from the storage's <see cref="ConnectionPool{TConnection}"/>, carrying up to
/// the pipeline depth of requests at once (ranged GETs, HEADs, listing pages): requests are written as they come,
/// responses are read in order by one loop and matched to the oldest request still waiting. When no request came for
/// the idle delay, the connection goes back to the pool, in step, for the next caller (listings, reads, the handler).
/// </summary>
/// <remarks>
/// Only a response whose framing is certain is read: Content-Length or chunked, within the bounds of its kind (a 206
/// whose Content-Range starts at the asked offset and is no longer than asked, a page up to its limit, a small error
/// page). Anything else (200 because Range was ignored, a redirect, a body without framing, an oversized head) is not
/// read at all: that request goes to the standard handler, the connection is closed, and the requests sent after it are
/// resent elsewhere (GETs and HEADs are idempotent). The same happens when the server closes the connection (keep-alive
/// request limit, idle timeout) or says "Connection: close": the answered requests keep their answers, the rest are
/// resent.
/// </remarks>
internal sealed class PipelinedConnection
{
    /// <summary>Largest body of an error status read to keep the connection; a bigger one closes it.</summary>
    private const int MaxErrorBodyBytes = 16 * 1024;

    private readonly Func<CancellationToken, Task<PooledConnection<HttpWire>>> _rent;
    private readonly TimeSpan _idleTimeout;
    private readonly Action<PipelinedConnection> _closed;
    private readonly Queue<PipelinedRead> _sent = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _life = new();
    private readonly Task<PooledConnection<HttpWire>> _ready;
    private bool _accepting = true;
    private int _closedFlag;
    private int _reserved;
    private int _answered;
    private bool _closedByServer;

    /// <param name="rent">Rents a connection from the pool, secured for https.</param>
    /// <param name="idleTimeout">How long the connection waits for another request before going back to the pool.</param>
    /// <param name="closed">Called once when the connection stops taking requests for good.</param>
    public PipelinedConnection(Func<CancellationToken, Task<PooledConnection<HttpWire>>> rent, TimeSpan idleTimeout, Action<PipelinedConnection> closed)
    {
        _rent = rent;
        _idleTimeout = idleTimeout;
        _closed = closed;
        _ready = _rent(_life.Token);
        _ = ReadLoopAsync();
    }

    /// <summary>Requests given to this connection and not finished (the reader's bookkeeping, under its lock).</summary>
    public int Reserved { get => _reserved; set => _reserved = value; }

    /// <summary>Connected (TLS included) and not failed.</summary>
    public bool IsReady => _ready.IsCompletedSuccessfully;

    /// <summary>Responses read on this connection so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>The server closed the connection (or said it would): not our own close after a timeout or a cancellation.</summary>
    public bool ClosedByServer => Volatile.Read(ref _closedByServer);

    /// <summary>Takes new requests: not closing, not failed.</summary>
    public bool Accepting
    {
        get
        {
            lock (_sent)
                return _accepting && !_ready.IsFaulted;
        }
    }

    /// <summary>Sends one request (<paramref name="request"/>, already encoded) and waits for its outcome.</summary>
    public async Task<PipelinedOutcome> SendAsync(PipelinedRead read, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        PooledConnection<HttpWire> pooled;
        try
        {
            pooled = await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_life.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return PipelinedOutcome.NotSent;
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_sent)
            {
                // A holder with fewer leases waits: stop taking requests once the turn is served, finish those sent, give it back.
                if (_accepting && pooled.TurnServed)
                    _accepting = false;
                if (!_accepting)
                {
                    _work.Release();
                    return PipelinedOutcome.NotSent;
                }
                _sent.Enqueue(read);
            }
            _work.Release();
            try
            {
                await pooled.Connection.Stream.WriteAsync(request, _life.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                Close();
            }
        }
        finally
        {
            _writeLock.Release();
        }
        using (cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (connection, pending) = ((PipelinedConnection, PipelinedRead))state!;
            // The response may still come on this connection, behind which others wait: close it, they are resent.
            if (pending.TryAbandon())
            {
                pending.Done.TrySetCanceled(token);
                connection.Close();
            }
        }, (this, read)))
        {
            return await read.Done.Task.ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        bool inStep = false;
        try
        {
            var wire = (await _ready.ConfigureAwait(false)).Connection;
            while (true)
            {
                PipelinedRead? oldest;
                lock (_sent)
                {
                    oldest = _sent.Count > 0 ? _sent.Peek() : null;
                    if (oldest is null && !_accepting)
                    {
                        inStep = true;
                        return;
                    }
                }
                if (oldest is null)
                {
                    if (!await _work.WaitAsync(_idleTimeout, _life.Token).ConfigureAwait(false))
                    {
                        lock (_sent)
                        {
                            if (_sent.Count == 0 && Volatile.Read(ref _reserved) == 0)
                                _accepting = false;
                        }
                    }
                    continue;
                }
                if (!await ReadResponseAsync(wire, oldest).ConfigureAwait(false))
                    return;
                Interlocked.Increment(ref _answered);
            }
        }
        catch (EndOfStreamException)
        {
            Volatile.Write(ref _closedByServer, true);
        }
        catch (Exception)
        {
            // Connect failure, end of stream, broken connection or our own close: whatever was not answered is resent
            // (a connect failure reaches the senders through the failed connect task).
        }
        finally
        {
            Close(inStep);
        }
    }

    /// <summary>Reads the response to <paramref name="oldest"/>; false when the connection must close afterwards.</summary>
    private async Task<bool> ReadResponseAsync(HttpWire wire, PipelinedRead oldest)
    {
        var stream = wire.Stream;
        var reader = wire.Reader;
        var head = await reader.ReadHeadAsync(stream, _life.Token).ConfigureAwait(false);
        if (head is null)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback), keepOpen: false);
        if (head.Closes)
            Volatile.Write(ref _closedByServer, true);
        if (oldest.Kind == PipelinedRequestKind.Head)
        {
            // No body follows a HEAD's head, whatever it declares. A redirect (a directory without its '/') goes to the handler.
            var outcome = head.Status is >= 300 and < 400 or < 200
                ? new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status)
                : new PipelinedOutcome(PipelinedOutcomeKind.Read, Status: head.Status, RetryAfter: head.RetryAfter, Head: head);
            return Finish(oldest, outcome, !head.Closes);
        }
        if (!head.Framed || head.Status is < 200 or >= 300 and < 400)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);

        try
        {
            if (head.Status >= 400)
                return await ReadErrorAsync(wire, head, oldest).ConfigureAwait(false);
            if (oldest.Kind == PipelinedRequestKind.Page)
                return await ReadPageAsync(wire, head, oldest).ConfigureAwait(false);
            return await ReadRangeAsync(wire, head, oldest).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // Chunks that do not add up: the connection is out of step; the handler asks again and reports what it finds.
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);
        }
        catch (IOException e) when (!_life.IsCancellationRequested)
        {
            // Cut in the middle of this answer: this request failed (the retry policy decides); those behind it are resent.
            Dequeue();
            if (oldest.TryClaim())
                oldest.Done.TrySetException(new StorageException(StorageErrorKind.Transient,
                    $"The connection closed in the middle of the answer for \"{oldest.Path}\" ({e.Message}).", e));
            throw;
        }
    }

    private async Task<bool> ReadErrorAsync(HttpWire wire, PipelinedResponseHead head, PipelinedRead oldest)
    {
        // An error page is small; a big one is not read (the standard handler asks again and maps it).
        if (await wire.Reader.ReadBodyAsync(wire.Stream, head, MaxErrorBodyBytes, _life.Token).ConfigureAwait(false) is null)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);
        var outcome = head.Status == 416 && oldest.Kind == PipelinedRequestKind.Range
            ? new PipelinedOutcome(PipelinedOutcomeKind.Read, new RangeReadResult(0, head.RangeLength), 416)
            : new PipelinedOutcome(PipelinedOutcomeKind.Failed, Status: head.Status, RetryAfter: head.RetryAfter);
        return Finish(oldest, outcome, !head.Closes);
    }

    private async Task<bool> ReadPageAsync(HttpWire wire, PipelinedResponseHead head, PipelinedRead oldest)
    {
        if (head.Status != 200)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);
        if (await wire.Reader.ReadBodyAsync(wire.Stream, head, oldest.MaxBody, _life.Token).ConfigureAwait(false) is not { } body)
        {
            Dequeue();
            if (oldest.TryClaim())
                oldest.Done.TrySetException(new StorageException(StorageErrorKind.Protocol,
                    $"The listing of \"{oldest.Path}\" is larger than the {oldest.MaxBody} bytes allowed."));
            return false;
        }
        return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Read, Status: 200, Head: head, Body: body.Bytes, BodyLength: body.Length),
            !head.Closes);
    }

    private async Task<bool> ReadRangeAsync(HttpWire wire, PipelinedResponseHead head, PipelinedRead oldest)
    {
        if (head.Status != 206 || head.Chunked)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);
        long count = head.ContentLength!.Value;
        if (head.RangeFrom != oldest.Offset || head.RangeTo < head.RangeFrom || head.RangeTo - head.RangeFrom + 1 != count
            || (head.RangeLength is { } total && head.RangeTo >= total))
        {
            Dequeue();
            if (oldest.TryClaim())
                oldest.Done.TrySetException(new StorageException(StorageErrorKind.Protocol, head.RangeFrom is null
                    ? $"The server answered 206 for \"{oldest.Path}\" without a usable Content-Range."
                    : $"The server sent bytes {head.RangeFrom}-{head.RangeTo} of \"{oldest.Path}\" when asked for bytes from {oldest.Offset}."));
            return false;
        }
        if (count > oldest.Buffer.Length)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: 206), keepOpen: false);

        var body = await wire.Reader.ReadIntoScratchAsync(wire.Stream, (int)count, _life.Token).ConfigureAwait(false);
        Dequeue();
        if (oldest.TryClaim())
        {
            body.Span.CopyTo(oldest.Buffer.Span);
            oldest.Done.TrySetResult(new PipelinedOutcome(PipelinedOutcomeKind.Read,
                new RangeReadResult((int)count, head.RangeLength, head.LastModified, head.ETag), 206));
        }
        return !head.Closes;
    }

    private bool Finish(PipelinedRead oldest, PipelinedOutcome outcome, bool keepOpen)
    {
        Dequeue();
        oldest.Complete(outcome);
        return keepOpen;
    }

    private void Dequeue()
    {
        lock (_sent)
            _sent.Dequeue();
    }

    /// <summary>Closes the connection (giving its lease back) and resends every request not answered yet.</summary>
    public void Close() => Close(inStep: false);

    /// <summary>
    /// Stops taking requests; a connection in step (idle, every response read) goes back to the pool for reuse, any other
    /// is closed there, and every request not answered yet is resent.
    /// </summary>
    private void Close(bool inStep)
    {
        PipelinedRead[] unanswered;
        lock (_sent)
        {
            _accepting = false;
            unanswered = [.. _sent];
            _sent.Clear();
        }
        foreach (var read in unanswered)
            read.Complete(PipelinedOutcome.Resend);
        if (Interlocked.Exchange(ref _closedFlag, 1) != 0)
            return;
        bool reusable = inStep && unanswered.Length == 0;
        if (!reusable)
            _life.Cancel();
        _ = GiveBackAsync(reusable);
        _closed(this);
    }

    private async Task GiveBackAsync(bool reusable)
    {
        PooledConnection<HttpWire> pooled;
        try
        {
            pooled = await _ready.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // never rented: nothing to give back
        }
        // A write may still be finishing on the connection: it is the pool's only once nobody writes.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        _writeLock.Release();
        if (!reusable || pooled.Connection.Reader.HasUnread)
        {
            pooled.MarkBroken();
            pooled.Connection.Reader.Reset();
        }
        await pooled.DisposeAsync().ConfigureAwait(false);
    }
}
