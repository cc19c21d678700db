namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// A cancellation token that fires when the caller cancels or when an operation makes no progress for the allowed time.
/// <see cref="Progress"/> pushes the deadline back (each chunk of a listing or a download counts as progress).
/// </summary>
internal sealed class FtpOperationTimer : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;

    public FtpOperationTimer(TimeSpan timeout, CancellationToken caller)
    {
        Timeout = timeout;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(timeout);
    }

    public TimeSpan Timeout { get; }

    public CancellationToken Token => _source.Token;

    public void Progress()
    {
        if (!_source.IsCancellationRequested)
            _source.CancelAfter(Timeout);
    }

    /// <summary>True when <paramref name="exception"/> is this timer firing, not the caller cancelling.</summary>
    public bool TimedOut(Exception exception) =>
        exception is OperationCanceledException && _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public void Dispose() => _source.Dispose();
}
