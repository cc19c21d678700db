namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// A concurrency limit that drops when a server says "too many connections" and climbs back one step per quiet
/// interval, as lftp's connection-limit timer does. Not thread-safe: its owner calls it under its own lock.
/// </summary>
public sealed class AdaptiveLimit
{
    private readonly TimeSpan _regrowInterval;
    private readonly TimeProvider _time;
    private long _lastChange;

    public AdaptiveLimit(int max, TimeSpan regrowInterval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(regrowInterval, TimeSpan.Zero);
        Max = max;
        Current = max;
        _regrowInterval = regrowInterval;
        _time = time;
        _lastChange = time.GetTimestamp();
    }

    /// <summary>The configured ceiling.</summary>
    public int Max { get; }

    /// <summary>How many connections may be open now (1..Max).</summary>
    public int Current { get; private set; }

    /// <summary>
    /// The server refused a connection while <paramref name="accepted"/> others were open: it will not take more than
    /// that, so never go above it, and step down by at least one so repeated refusals keep backing off.
    /// </summary>
    public void Shrink(int accepted)
    {
        Current = Math.Clamp(Math.Min(Current - 1, accepted), 1, Max);
        _lastChange = _time.GetTimestamp();
    }

    /// <summary>Adds one step per full quiet interval since the last change. Returns true when the limit grew.</summary>
    public bool Refresh()
    {
        if (Current >= Max)
            return false;
        var elapsed = _time.GetElapsedTime(_lastChange);
        long steps = elapsed.Ticks / _regrowInterval.Ticks;
        if (steps <= 0)
            return false;
        Current = (int)Math.Min(Max, Current + steps);
        _lastChange = _time.GetTimestamp();
        return true;
    }
}
