
namespace Pcrs.Silo.Scan;

/// <summary>
/// The scan verb's reminder table: rows in this process's memory, no grain behind them. The verb's StorageGrain registers
/// its reminders like the service's; nothing outlives the process. Orleans' own in-memory table is a grain, which the
/// reminder service sometimes still reads while the verb's silo stops: three ERR lines on stderr after the result.
/// </summary>
internal sealed class ProcessReminderTable : IReminderTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(GrainId Grain, string Name), ReminderEntry> _rows = [];
    private long _lastETag;

    public Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        lock (_gate)
            return Task.FromResult(new ReminderTableData(_rows.Values.Where(r => r.GrainId == grainId).ToList()));
    }

    /// <summary>Rows whose grain hashes into the ring range (begin, end], which wraps around when begin >= end.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        bool InRange(uint hash) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
        lock (_gate)
            return Task.FromResult(new ReminderTableData(_rows.Values.Where(r => InRange(r.GrainId.GetUniformHashCode())).ToList()));
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        lock (_gate)
            return Task.FromResult(_rows.GetValueOrDefault((grainId, reminderName)));
    }

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        lock (_gate)
        {
            entry.ETag = (++_lastETag).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _rows[(entry.GrainId, entry.ReminderName)] = entry;
            return Task.FromResult<string?>(entry.ETag);
        }
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        lock (_gate)
        {
            bool matches = _rows.TryGetValue((grainId, reminderName), out var row) && row.ETag == eTag;
            return Task.FromResult(matches && _rows.Remove((grainId, reminderName)));
        }
    }

    public Task TestOnlyClearTable()
    {
        lock (_gate)
            _rows.Clear();
        return Task.CompletedTask;
    }
}
