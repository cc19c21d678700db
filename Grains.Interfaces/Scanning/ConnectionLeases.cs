namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// What one lease holder (one connection pool on one silo) has counted so far. Both numbers only grow, so the
/// StorageGrain merges them by maximum: messages may arrive late or out of order, and a re-activated grain rebuilds
/// its table from the first message of each holder.
/// </summary>
/// <param name="GrantsReceived">Leases granted to the holder so far.</param>
/// <param name="ReleasesSent">Leases the holder gave back so far.</param>
[GenerateSerializer, Immutable, Alias("pcrs.LeaseCounters")]
public sealed record LeaseCounters(
    [property: Id(0)] long GrantsReceived,
    [property: Id(1)] long ReleasesSent)
{
    public int Held => (int)Math.Max(0, GrantsReceived - ReleasesSent);
}

/// <summary>
/// What a holder should do with the connections it keeps, as the StorageGrain sees the other holders.
/// </summary>
/// <param name="OthersWaiting">Another holder waits for a lease: close connections nobody uses instead of keeping them idle.</param>
/// <param name="OwesTurn">
/// A waiting holder has fewer leases than this one (none, or two fewer): give one connection back after its turn even
/// when there is local work for it, so every silo keeps moving.
/// </param>
/// <param name="OverLimit">
/// The storage's holders together hold more leases than its limit (an administrator lowered it mid-scan): close a
/// connection when it comes back instead of keeping it, until the total is within the limit.
/// </param>
[GenerateSerializer, Immutable, Alias("pcrs.LeaseSignal")]
public sealed record LeaseSignal(
    [property: Id(0)] bool OthersWaiting,
    [property: Id(1)] bool OwesTurn,
    [property: Id(2)] bool OverLimit = false)
{
    public static LeaseSignal Quiet { get; } = new(false, false);
}

/// <summary>The StorageGrain's answer to a lease call.</summary>
/// <param name="Granted">For an acquire: a lease was granted (counted in the holder's next <see cref="LeaseCounters"/>).</param>
/// <param name="Signal">The holder's situation after the call.</param>
[GenerateSerializer, Immutable, Alias("pcrs.LeaseAnswer")]
public sealed record LeaseAnswer(
    [property: Id(0)] bool Granted,
    [property: Id(1)] LeaseSignal Signal);
