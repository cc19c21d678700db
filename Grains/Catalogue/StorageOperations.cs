using System.Collections.Concurrent;
using Npgsql;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// An administrator's settings of one storage: scanning paused, a connection limit, a rescan period (null: the
/// deployment's limit, the declarations' period). <see cref="PausedEverywhere"/> is the pause of every storage.
/// </summary>
public sealed record StorageOperations(bool Paused, int? MaxConnections, int? RescanDays, bool PausedEverywhere = false)
{
    public static readonly StorageOperations None = new(false, null, null);

    public const int MaxConnectionLimit = 64;

    /// <summary>Scanning of this storage is off, by its own pause or the pause of every storage.</summary>
    public bool IsPaused => Paused || PausedEverywhere;
}

/// <summary>Where <see cref="StorageOperations"/> are kept (PostgreSQL table pcrs_storage_operations, or memory for the scan verb).</summary>
public interface IStorageOperationsStore
{
    /// <summary>The key of the row holding the pause of every storage.</summary>
    const string Everywhere = "*";

    /// <summary>The storage's settings, with the pause of every storage folded in.</summary>
    Task<StorageOperations> GetAsync(string storageKey, CancellationToken cancellationToken = default);

    Task SetAsync(string storageKey, StorageOperations operations, CancellationToken cancellationToken = default);
}

public sealed class PostgresStorageOperationsStore(NpgsqlDataSource dataSource) : IStorageOperationsStore
{
    public async Task<StorageOperations> GetAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT storage_key, paused, max_connections, rescan_days FROM pcrs_storage_operations WHERE storage_key = ANY($1)");
        command.Parameters.Add(new() { Value = new[] { storageKey, IStorageOperationsStore.Everywhere } });
        var own = StorageOperations.None;
        bool everywhere = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new StorageOperations(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt32(3));
            if (reader.GetString(0) == storageKey)
                own = row;
            else
                everywhere = row.Paused;
        }
        return own with { PausedEverywhere = everywhere || (storageKey == IStorageOperationsStore.Everywhere && own.Paused) };
    }

    public async Task SetAsync(string storageKey, StorageOperations operations, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_storage_operations (storage_key, paused, max_connections, rescan_days, changed_at)
            VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (storage_key) DO UPDATE SET paused = EXCLUDED.paused, max_connections = EXCLUDED.max_connections,
                rescan_days = EXCLUDED.rescan_days, changed_at = now()
            """);
        command.Parameters.Add(new() { Value = storageKey });
        command.Parameters.Add(new() { Value = operations.Paused });
        command.Parameters.Add(new() { Value = (object?)operations.MaxConnections ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = (object?)operations.RescanDays ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>In one process only (the scan verb's in-memory catalogue): nothing to share.</summary>
public sealed class InMemoryStorageOperationsStore : IStorageOperationsStore
{
    private readonly ConcurrentDictionary<string, StorageOperations> _rows = new(StringComparer.Ordinal);

    public Task<StorageOperations> GetAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        var own = _rows.GetValueOrDefault(storageKey, StorageOperations.None);
        bool everywhere = _rows.TryGetValue(IStorageOperationsStore.Everywhere, out var all) && all.Paused;
        return Task.FromResult(own with { PausedEverywhere = everywhere });
    }

    public Task SetAsync(string storageKey, StorageOperations operations, CancellationToken cancellationToken = default)
    {
        _rows[storageKey] = operations with { PausedEverywhere = false };
        return Task.CompletedTask;
    }
}
