namespace Pcrs.Grains.Storage.Http;

/// <summary>What became of one pipelined range request.</summary>
internal enum PipelinedOutcomeKind
{
    /// <summary>A 206 (or 416) was read and checked: <see cref="PipelinedOutcome.Result"/> holds it.</summary>
    Read,

    /// <summary>The connection ended before this request was answered: send it again on another connection.</summary>
    Resend,

    /// <summary>The server answered something a pipeline does not handle (200, redirect, chunked, oversized): use the standard handler.</summary>
    Fallback,

    /// <summary>An error status (4xx other than 416, 5xx) with a small body: <see cref="PipelinedOutcome.Status"/> says which.</summary>
    Failed,
}

internal readonly record struct PipelinedOutcome(PipelinedOutcomeKind Kind, RangeReadResult Result = default, int Status = 0,
    string? RetryAfter = null)
{
    public static readonly PipelinedOutcome Resend = new(PipelinedOutcomeKind.Resend);
}

/// <summary>
/// One range request queued on a <see cref="PipelinedConnection"/>. Its caller's buffer is written only by whoever wins
/// <see cref="TryClaim"/>; a caller that gives up (timeout, cancellation) wins <see cref="TryAbandon"/> instead, so no
/// late response ever lands in a buffer its owner already reuses.
/// </summary>
internal sealed class PipelinedRead(long offset, Memory<byte> buffer, string path)
{
    private int _state;

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
