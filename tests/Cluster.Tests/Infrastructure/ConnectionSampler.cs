using System.Diagnostics;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>Samples, with <c>ss</c>, the TCP connections established to a local server port: the server-side view of a limit.</summary>
public sealed class ConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ConnectionSampler(int port) => _loop = Task.Run(() => RunAsync(port));

    public int Peak { get; private set; }

    public int Samples { get; private set; }

    private async Task RunAsync(int port)
    {
        while (!_stop.IsCancellationRequested)
        {
            var start = new ProcessStartInfo("ss", $"-Htn state established ( sport = :{port} )") { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            int count = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Peak = Math.Max(Peak, count);
            Samples++;
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _stop.Dispose();
    }
}
