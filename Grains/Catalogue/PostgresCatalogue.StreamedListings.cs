using Npgsql;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// A large directory's listing written as it streams in: each batch in its own short statement (no transaction held over
/// the listing, no statement sized by the listing), what vanished deleted afterwards in bounded rounds.
/// </summary>
public sealed partial class PostgresCatalogue
{
    /// <summary>Entries deleted per round by <see cref="DeleteUnseenEntriesAsync"/>.</summary>
    private const int DeleteChunk = 5000;

    public async Task UpsertListedEntriesAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> rows, long scanNumber, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0)
            return;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        for (int start = 0; start < rows.Count; start += EntryChunk)
            await UpsertEntriesAsync(connection, null, storageKey, directoryPath, rows, start, Math.Min(EntryChunk, rows.Count - start),
                scanNumber, markUnchanged: true, cancellationToken);
    }

    public async Task<int> DeleteUnseenEntriesAsync(string storageKey, string directoryPath, long scanNumber, CancellationToken cancellationToken = default)
    {
        int total = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var removed = new List<(string Path, bool IsDirectory)>();
            await using (var delete = new NpgsqlCommand("""
                DELETE FROM pcrs_entries WHERE storage_key = $1 AND path IN (
                    SELECT path FROM pcrs_entries WHERE storage_key = $1 AND parent_path = $2 AND last_seen_scan < $3 LIMIT $4)
                RETURNING path, kind
                """, connection, transaction))
            {
                delete.Parameters.AddWithValue(storageKey);
                delete.Parameters.AddWithValue(directoryPath);
                delete.Parameters.AddWithValue(scanNumber);
                delete.Parameters.AddWithValue(DeleteChunk);
                await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    removed.Add((reader.GetString(0), reader.GetChar(1) == 'd'));
            }
            await DeleteWhatRemovedEntriesHeldAsync(connection, transaction, storageKey, removed, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            total += removed.Count;
            if (removed.Count < DeleteChunk)
                return total;
        }
    }

    public async Task<IReadOnlyDictionary<string, TileStamp>> GetTileStampsAsync(string storageKey, IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        var stamps = new Dictionary<string, TileStamp>(StringComparer.Ordinal);
        if (paths.Count == 0)
            return stamps;
        await using var command = dataSource.CreateCommand("""
            SELECT path, size, modified_at, etag, sidecar_signature, error IS NOT NULL, listing_stamp, facts_source
            FROM pcrs_tiles WHERE storage_key = $1 AND path = ANY($2::text[])
            """);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(paths.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            stamps[reader.GetString(0)] = new TileStamp(NullableLong(reader, 1), NullableTime(reader, 2), NullableString(reader, 3), reader.GetString(4),
                reader.GetBoolean(5), NullableString(reader, 6), NullableString(reader, 7));
        return stamps;
    }
}
