namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// The one rule for how long a connection keeps its lease while a holder with fewer leases waits
/// (<see cref="IConnectionLimiter.OwesTurn"/>): <see cref="ConnectionPool{TConnection}"/> (FTP, SFTP) closes a returned
/// connection past its turn, and the HTTP handler's connections give their lease back at their next request.
/// </summary>
public static class ConnectionTurn
{
    /// <summary>
    /// The configured turn, but at least ten connects: rotating leases between holders never spends more than a tenth of
    /// the time connecting and logging in, even on a slow or loaded server.
    /// </summary>
    public static TimeSpan Length(TimeSpan configured, TimeSpan openCost) =>
        TimeSpan.FromTicks(Math.Max(configured.Ticks, 10 * Math.Max(0, openCost.Ticks)));
}
