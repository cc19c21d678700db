using System.Diagnostics;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Samples, with <c>ss</c>, the TCP connections this process holds established to a server port: the server's view of the
/// platform's connections, blind to other processes on the machine that may use the same peer server meanwhile.
/// </summary>
public sealed class ServerConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ServerConnectionSampler(int serverPort) => _loop = Task.Run(() => RunAsync(serverPort));

    public int Peak { get; private set; }

    public int Samples { get; private set; }

    private async Task RunAsync(int serverPort)
    {
        string owner = $"pid={Environment.ProcessId},";
        while (!_stop.IsCancellationRequested)
        {
            var start = new ProcessStartInfo("ss", $"-Htnp state established ( dport = :{serverPort} )") { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            int count = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.Contains(owner, StringComparison.Ordinal));
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
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
