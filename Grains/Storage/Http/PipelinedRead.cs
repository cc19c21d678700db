namespace Pcrs.Grains.Storage.Http;

/// <summary>What a pipelined request asks for.</summary>
internal enum PipelinedRequestKind
{
    /// <summary>A ranged GET whose bytes land in the caller's buffer.</summary>
    Range,

    /// <summary>A HEAD: the facts of a file, no body.</summary>
    Head,

    /// <summary>A whole (small) page, such as a directory listing, in a new array.</summary>
    Page,
}

/// <summary>What became of one pipelined range request.</summary>
internal enum PipelinedOutcomeKind
{
    /// <summary>
    /// Answered: a checked 206 or 416 (<see cref="PipelinedOutcome.Result"/>), a HEAD's head, or a page's head and body
    /// (<see cref="PipelinedOutcome.Head"/>, <see cref="PipelinedOutcome.Body"/>).
    /// </summary>
    Read,

    /// <summary>The connection ended before this request was answered: send it again on another connection.</summary>
    Resend,

    /// <summary>The connection stopped taking requests before this one was sent (idle, turn served): send it on another.</summary>
    NotSent,

    /// <summary>The server answered something a pipeline does not handle (200, redirect, chunked, oversized): use the standard handler.</summary>
    Fallback,

    /// <summary>An error status (4xx other than 416, 5xx) with a small body: <see cref="PipelinedOutcome.Status"/> says which.</summary>
    Failed,
}

internal readonly record struct PipelinedOutcome(PipelinedOutcomeKind Kind, RangeReadResult Result = default, int Status = 0,
    string? RetryAfter = null, PipelinedResponseHead? Head = null, byte[]? Body = null, int BodyLength = 0)
{
    public static readonly PipelinedOutcome Resend = new(PipelinedOutcomeKind.Resend);

    public static readonly PipelinedOutcome NotSent = new(PipelinedOutcomeKind.NotSent);
}

/// <summary>
/// One range request queued on a <see cref="PipelinedConnection"/>. Its caller's buffer is written only by whoever wins
/// <see cref="TryClaim"/>; a caller that gives up (timeout, cancellation) wins <see cref="TryAbandon"/> instead, so no
/// late response ever lands in a buffer its owner already reuses.
/// </summary>
internal sealed class PipelinedRead(long offset, Memory<byte> buffer, string path, PipelinedRequestKind kind = PipelinedRequestKind.Range,
    int maxBody = 0)
{
    private int _state;

    public PipelinedRequestKind Kind => kind;

    /// <summary>Largest page body taken (<see cref="PipelinedRequestKind.Page"/>); a longer one fails the request.</summary>
    public int MaxBody => maxBody;

    public long Offset => offset;
    public Memory<byte> Buffer => buffer;
    public string Path => path;
    public TaskCompletionSource<PipelinedOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

    /// <summary>Completes an unclaimed request as <paramref name="outcome"/> (no buffer written).</summary>
    public void Complete(PipelinedOutcome outcome)
    {
        if (TryClaim())
            Done.TrySetResult(outcome);
    }
}
