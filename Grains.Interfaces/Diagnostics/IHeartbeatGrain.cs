namespace Pcrs.Grains.Interfaces.Diagnostics;

/// <summary>
/// A diagnostic grain: answers pings (the web front's /health calls it) and, on request, writes one row to
/// pcrs_heartbeats per reminder tick, which shows that reminders keep firing across silo restarts.
/// </summary>
[Alias("pcrs.IHeartbeatGrain")]
public interface IHeartbeatGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    ValueTask<HeartbeatReply> Ping();

    /// <summary>Registers (or updates) a durable reminder that records a beat every <paramref name="period"/>.</summary>
    [Alias("StartBeating")]
    ValueTask StartBeating(TimeSpan period);

    [Alias("StopBeating")]
    ValueTask StopBeating();
}

/// <summary>Which silo answered, and when.</summary>
[GenerateSerializer, Immutable, Alias("pcrs.HeartbeatReply")]
public sealed record HeartbeatReply([property: Id(0)] string Silo, [property: Id(1)] DateTime AnsweredAtUtc);
