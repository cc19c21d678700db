namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// One kept-alive HTTP/1.1 connection carrying up to the pipeline depth of range requests at once: requests are written
/// as they come, responses are read in order by one loop and matched to the oldest request still waiting. The connection
/// holds one lease from the connection limiter (taken by <see cref="GuardedConnector"/>) from connect to close.
/// </summary>
/// <remarks>
/// Only a response whose framing is certain is read: a 206 with Content-Length, a Content-Range starting at the asked
/// offset and no more bytes than asked, or a 416 with a small body. Anything else (200 because Range was ignored, a
/// redirect, an error status, a chunked body, an oversized head) is not read at all: that request goes to the standard
/// handler, the connection is closed, and the requests sent after it are resent elsewhere (GETs are idempotent). The
/// same happens when the server closes the connection (keep-alive request limit, idle timeout) or says
/// "Connection: close": the answered requests keep their answers, the rest are resent.
/// </remarks>
internal sealed class PipelinedConnection
{
    /// <summary>Largest response head read; a bigger one is not parsed (the standard handler has the same 64 KB limit).</summary>
    internal const int MaxHeadBytes = 64 * 1024;

    /// <summary>Largest body of a 416 read to keep the connection; a bigger one closes it.</summary>
    private const int MaxErrorBodyBytes = 16 * 1024;

    private readonly Func<CancellationToken, Task<Stream>> _open;
    private readonly Func<bool> _owesTurn;
    private readonly TimeSpan _turn;
    private readonly TimeSpan _idleTimeout;
    private readonly Action<PipelinedConnection> _closed;
    private readonly Queue<PipelinedRead> _sent = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _life = new();
    private readonly byte[] _receive = new byte[MaxHeadBytes];
    private readonly Task<Stream> _ready;
    private byte[] _body = new byte[4096];
    private int _receiveStart;
    private int _receiveEnd;
    private long _openedTicks;
    private bool _accepting = true;
    private int _closedFlag;
    private int _reserved;

    public PipelinedConnection(Func<CancellationToken, Task<Stream>> open, Func<bool> owesTurn, TimeSpan turn, TimeSpan idleTimeout,
        Action<PipelinedConnection> closed)
    {
        _open = open;
        _owesTurn = owesTurn;
        _turn = turn;
        _idleTimeout = idleTimeout;
        _closed = closed;
        _ready = OpenAsync();
        _ = ReadLoopAsync();
    }

    /// <summary>Requests given to this connection and not finished (the pool's bookkeeping, under its lock).</summary>
    public int Reserved { get => _reserved; set => _reserved = value; }

    /// <summary>Connected (TLS included) and not failed.</summary>
    public bool IsReady => _ready.IsCompletedSuccessfully;

    /// <summary>Takes new requests: not closing, not failed.</summary>
    public bool Accepting
    {
        get
        {
            lock (_sent)
                return _accepting && !_ready.IsFaulted;
        }
    }

    private async Task<Stream> OpenAsync()
    {
        var stream = await _open(_life.Token).ConfigureAwait(false);
        _openedTicks = Environment.TickCount64;
        return stream;
    }

    /// <summary>Sends one ranged GET (<paramref name="request"/>, already encoded) and waits for its outcome.</summary>
    public async Task<PipelinedOutcome> SendAsync(PipelinedRead read, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_life.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return PipelinedOutcome.Resend;
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_sent)
            {
                // A holder with fewer leases waits: stop taking requests once the turn is served, finish those sent, close.
                if (_accepting && _owesTurn() && Environment.TickCount64 - _openedTicks >= _turn.TotalMilliseconds)
                    _accepting = false;
                if (!_accepting)
                {
                    _work.Release();
                    return PipelinedOutcome.Resend;
                }
                _sent.Enqueue(read);
            }
            _work.Release();
            try
            {
                await stream.WriteAsync(request, _life.Token).ConfigureAwait(false);
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
        try
        {
            var stream = await _ready.ConfigureAwait(false);
            while (true)
            {
                PipelinedRead? oldest;
                lock (_sent)
                {
                    oldest = _sent.Count > 0 ? _sent.Peek() : null;
                    if (oldest is null && !_accepting)
                        return;
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
                if (!await ReadResponseAsync(stream, oldest).ConfigureAwait(false))
                    return;
            }
        }
        catch (Exception)
        {
            // Connect failure, end of stream, broken connection or our own close: whatever was not answered is resent
            // (a connect failure reaches the senders through the failed connect task).
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Reads the response to <paramref name="oldest"/>; false when the connection must close afterwards.</summary>
    private async Task<bool> ReadResponseAsync(Stream stream, PipelinedRead oldest)
    {
        var head = await ReadHeadAsync(stream).ConfigureAwait(false);
        if (head is null || !head.Framed || head.Status is < 200 or >= 300 and < 400)
            return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head?.Status ?? 0), keepOpen: false);

        if (head.Status >= 400)
        {
            // An error page is small; a big one is not read (the standard handler asks again and maps it).
            if (head.ContentLength > MaxErrorBodyBytes)
                return Finish(oldest, new PipelinedOutcome(PipelinedOutcomeKind.Fallback, Status: head.Status), keepOpen: false);
            await ReadBodyAsync(stream, (int)head.ContentLength!.Value).ConfigureAwait(false);
            var outcome = head.Status == 416
                ? new PipelinedOutcome(PipelinedOutcomeKind.Read, new RangeReadResult(0, head.RangeLength), 416)
                : new PipelinedOutcome(PipelinedOutcomeKind.Failed, Status: head.Status, RetryAfter: head.RetryAfter);
            return Finish(oldest, outcome, !head.Closes);
        }
        if (head.Status != 206)
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

        await ReadBodyAsync(stream, (int)count).ConfigureAwait(false);
        Dequeue();
        if (oldest.TryClaim())
        {
            _body.AsSpan(0, (int)count).CopyTo(oldest.Buffer.Span);
            oldest.Done.TrySetResult(new PipelinedOutcome(PipelinedOutcomeKind.Read, new RangeReadResult((int)count, head.RangeLength), 206));
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

    /// <summary>Reads up to the blank line ending a head, at most <see cref="MaxHeadBytes"/>; null when it is longer.</summary>
    private async Task<PipelinedResponseHead?> ReadHeadAsync(Stream stream)
    {
        int scanned = _receiveStart;
        while (true)
        {
            int end = _receive.AsSpan(scanned, _receiveEnd - scanned).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                int headEnd = scanned + end;
                var head = PipelinedResponseHead.Parse(_receive.AsSpan(_receiveStart, headEnd - _receiveStart));
                _receiveStart = headEnd + 4;
                return head;
            }
            scanned = Math.Max(_receiveStart, _receiveEnd - 3);
            if (_receiveStart > 0)
            {
                // Keep the partial head at the front of the buffer so a whole head up to the limit fits.
                _receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart).CopyTo(_receive);
                scanned -= _receiveStart;
                _receiveEnd -= _receiveStart;
                _receiveStart = 0;
            }
            if (_receiveEnd == _receive.Length)
                return null;
            int read = await stream.ReadAsync(_receive.AsMemory(_receiveEnd), _life.Token).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("The server closed the connection.");
            _receiveEnd += read;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> body bytes into the connection's own buffer.</summary>
    private async Task ReadBodyAsync(Stream stream, int count)
    {
        if (_body.Length < count)
            _body = new byte[count];
        int buffered = Math.Min(count, _receiveEnd - _receiveStart);
        _receive.AsSpan(_receiveStart, buffered).CopyTo(_body);
        _receiveStart += buffered;
        int total = buffered;
        while (total < count)
        {
            int read = await stream.ReadAsync(_body.AsMemory(total, count - total), _life.Token).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("The server closed the connection in the middle of a body.");
            total += read;
        }
    }

    /// <summary>Closes the connection (giving its lease back) and resends every request not answered yet.</summary>
    public void Close()
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
        _life.Cancel();
        _ = _ready.ContinueWith(static opened =>
        {
            if (opened.IsCompletedSuccessfully)
                opened.Result.Dispose();
        }, TaskScheduler.Default);
        _closed(this);
    }
}
