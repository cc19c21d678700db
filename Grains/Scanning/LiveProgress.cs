using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// The live counts of a storage's running scan, which never count a directory twice. Each directory reports its own
/// counts so far as a total, not a delta: a directory redone by a new activation (its silo died) replaces what the lost
/// one reported instead of adding to it. A directory's last report (sent once its completion is in the catalogue, after
/// which nothing redoes it) moves its counts to <see cref="Finished"/>, the only part kept across a restart of the
/// StorageGrain: the directories still running then report their totals again from wherever they are.
/// </summary>
/// <remarks>
/// After a restart of the StorageGrain the counts are a lower bound until the scan ends (finished directories whose last
/// report was not saved yet are missing); the final counts come from the roots' reports and are exact.
/// </remarks>
public sealed class LiveProgress
{
    private readonly Dictionary<string, ScanProgress> _running = new(StringComparer.Ordinal);
    private ScanProgress _runningSum = ScanProgress.Zero;

    /// <summary>Counts of the directories that completed the scan (what is saved while the scan runs).</summary>
    public ScanProgress Finished { get; private set; } = ScanProgress.Zero;

    /// <summary>Finished plus what the running directories have reported.</summary>
    public ScanProgress Total => Finished.Add(_runningSum);

    /// <summary>Starts over from <paramref name="finished"/>: a new scan (zero) or a restarted StorageGrain (what it saved).</summary>
    public void Reset(ScanProgress finished)
    {
        _running.Clear();
        _running.TrimExcess();
        _runningSum = ScanProgress.Zero;
        Finished = finished;
    }

    /// <summary>Directory <paramref name="path"/>'s own counts so far; <paramref name="final"/> on its last report.</summary>
    public void Report(string path, ScanProgress total, bool final)
    {
        if (_running.Remove(path, out var previous))
            _runningSum = _runningSum.Subtract(previous);
        if (final)
        {
            Finished = Finished.Add(total);
            return;
        }
        _running[path] = total;
        _runningSum = _runningSum.Add(total);
    }
}
