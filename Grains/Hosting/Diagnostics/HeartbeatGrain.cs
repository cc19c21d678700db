using Npgsql;
using Pcrs.Grains.Interfaces.Diagnostics;

namespace Pcrs.Grains.Hosting.Diagnostics;

public sealed class HeartbeatGrain(NpgsqlDataSource dataSource) : Grain, IHeartbeatGrain, IRemindable
{
    private const string ReminderName = "beat";

    public ValueTask<HeartbeatReply> Ping() => ValueTask.FromResult(new HeartbeatReply(RuntimeIdentity, DateTime.UtcNow));

    public async ValueTask StartBeating(TimeSpan period) =>
        await this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async ValueTask StopBeating()
    {
        IGrainReminder? reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await using NpgsqlCommand command = dataSource.CreateCommand(
            "INSERT INTO pcrs_heartbeats (grain_key, silo) VALUES (@key, @silo)");
        command.Parameters.AddWithValue("key", this.GetPrimaryKeyString());
        command.Parameters.AddWithValue("silo", RuntimeIdentity);
        await command.ExecuteNonQueryAsync();
    }
}
