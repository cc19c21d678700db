using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Batches the tile rows of every FileGrain on this silo into multi-row catalogue writes (one round trip per batch
/// instead of one per file). A FileGrain awaits its row's batch, so a completed analysis is always durable.
/// </summary>
public sealed partial class TileWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);

    private readonly ICatalogue _catalogue;
    private readonly ILogger<TileWriter> _logger;
    private readonly Channel<(TileRow Row, TaskCompletionSource Done)> _queue =
        Channel.CreateBounded<(TileRow, TaskCompletionSource)>(new BoundedChannelOptions(MaxBatch * 16) { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public TileWriter(ICatalogue catalogue, ILogger<TileWriter> logger)
    {
        _catalogue = catalogue;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public async Task WriteAsync(TileRow row, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((row, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<(TileRow Row, TaskCompletionSource Done)>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                // Linger a moment so that rows from many grains share one statement.
                await Task.Delay(Linger, _stopping.Token);
                while (batch.Count < MaxBatch && reader.TryRead(out var item))
                    batch.Add(item);
                try
                {
                    await _catalogue.UpsertTilesAsync(batch.ConvertAll(b => b.Row), _stopping.Token);
                    foreach (var item in batch)
                        item.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    LogWriteFailed(_logger, batch.Count, e);
                    foreach (var item in batch)
                        item.Done.TrySetException(e);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _stopping.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        while (_queue.Reader.TryRead(out var item))
            item.Done.TrySetCanceled();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} tiles to the catalogue failed")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
