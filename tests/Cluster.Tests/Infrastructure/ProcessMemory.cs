using System.Globalization;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>
/// This process's memory while a silo in it works: its idle figures (after a full collection), then its peak resident set
/// (the kernel's VmHWM, reset at the start) and the peak of its managed heap (sampled every 100 ms) until stopped.
/// Linux only (/proc/self).
/// </summary>
public sealed class ProcessMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peakHeap;

    private ProcessMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        IdleHeap = GC.GetTotalMemory(forceFullCollection: true);
        IdleRss = Status("VmRSS");
        _peakHeap = IdleHeap;
        // "5" resets the peak resident set to the current one (proc(5), clear_refs).
        File.WriteAllText("/proc/self/clear_refs", "5");
        _sampling = SampleAsync();
    }

    public long IdleHeap { get; }

    public long IdleRss { get; }

    public long PeakHeap => Interlocked.Read(ref _peakHeap);

    public static long PeakRss => Status("VmHWM");

    /// <summary>Starts measuring from now: the idle figures are taken at once.</summary>
    public static ProcessMemory Start() => new();

    /// <summary>One line of figures in MB: idle, peak and their difference, for the resident set and the managed heap.</summary>
    public string Report() => string.Create(CultureInfo.InvariantCulture,
        $"rss idle={IdleRss >> 20}MB peak={PeakRss >> 20}MB extra={(PeakRss - IdleRss) >> 20}MB heap idle={IdleHeap >> 20}MB peak={PeakHeap >> 20}MB extra={(PeakHeap - IdleHeap) >> 20}MB");

    private async Task SampleAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                long heap = GC.GetTotalMemory(forceFullCollection: false);
                if (heap > Interlocked.Read(ref _peakHeap))
                    Interlocked.Exchange(ref _peakHeap, heap);
                await Task.Delay(100, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"{field} not found in /proc/self/status");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
